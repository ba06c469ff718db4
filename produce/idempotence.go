package produce

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/IBM/sarama"
)

// producerSeq is what makes a batch idempotent: the producer id and epoch
// the broker gave (InitProducerId) and the sequence number of the batch's
// first record in its partition. The broker appends a batch only when its
// sequence follows the last one it appended for the producer and the
// partition, and answers a batch it has already appended (a retry after a
// lost answer) without appending it again.
type producerSeq struct {
	id    int64
	epoch int16
	seq   int32
}

// noProducer marks a batch of a producer that is not idempotent.
var noProducer = producerSeq{id: -1, epoch: -1, seq: -1}

// sequences hands out the sequence numbers of one idempotent producer's
// batches, per partition, in the order the batches are sealed. Each
// partition's batches carry a producer id and epoch: the producer's, until
// a batch of the partition fails in doubt and the partition restarts under
// a new producer id (indoubt.go).
type sequences struct {
	owner []producerSeq // by partition: its producer id and epoch, and its next sequence
}

// newSequences returns the sequences of producer id and epoch over
// partitions partitions.
func newSequences(id int64, epoch int16, partitions int32) *sequences {
	s := &sequences{owner: make([]producerSeq, partitions)}
	for p := range s.owner {
		s.owner[p] = producerSeq{id: id, epoch: epoch}
	}
	return s
}

// assign gives a batch of records records in partition p its producer
// and first sequence, and moves the partition's next sequence past it; a
// nil s (no idempotence) gives noProducer. A sequence wraps to 0 after
// math.MaxInt32, as in Kafka.
func (s *sequences) assign(p int32, records int) producerSeq {
	if s == nil {
		return noProducer
	}
	o := &s.owner[p]
	first := *o
	o.seq = seqPlus(o.seq, records)
	return first
}

// restart makes partition p's next batch the first of producer id and
// epoch: sequence 0.
func (s *sequences) restart(p int32, id int64, epoch int16) {
	s.owner[p] = producerSeq{id: id, epoch: epoch}
}

// current reports whether b carries its partition's producer id and
// epoch: not when the partition restarted under a new id (indoubt.go)
// after b was claimed, when b's numbers are no longer in use.
func (s *sequences) current(b *batch) bool {
	o := s.owner[b.partition]
	return o.id == b.producer.id && o.epoch == b.producer.epoch
}

// seqPlus is seq plus n, wrapping to 0 after math.MaxInt32.
func seqPlus(seq int32, n int) int32 {
	return int32((int64(seq) + int64(n)) % (math.MaxInt32 + 1))
}

// rewind moves partition p's next sequence back by records, over the
// wrap.
func (s *sequences) rewind(p int32, records int) {
	s.owner[p].seq = seqMinus(s.owner[p].seq, records)
}

// seqMinus is seq less n, wrapping below 0 to math.MaxInt32 as Kafka's
// sequences wrap above it.
func seqMinus(seq int32, n int) int32 {
	const m = int64(math.MaxInt32) + 1
	return int32(((int64(seq)-int64(n))%m + m) % m)
}

// initProducer asks the cluster for an idempotent producer id and epoch.
func initProducer(client sarama.Client) (int64, int16, error) {
	resp, err := client.InitProducerID()
	if err != nil {
		return 0, 0, fmt.Errorf("get a producer id: %w", err)
	}
	if resp.Err != sarama.ErrNoError {
		return 0, 0, fmt.Errorf("get a producer id: %w", resp.Err)
	}
	return resp.ProducerID, resp.ProducerEpoch, nil
}

// maxIdempotentOut bounds window's n: a Kafka broker keeps the last five
// batches of each producer and partition to recognise a batch sent again
// (and so does kfake), which is why Kafka's idempotent producer allows at
// most five requests in flight per connection.
const maxIdempotentOut = 5

// window lets an idempotent producer have up to n batches of each
// partition out at once (sent, or waiting to be sent again): the n that
// follow, in seal order, its oldest unsettled batch, that one included. A
// batch n or more places after an unsettled one waits, even when the
// batches between them settled. So at most n-1 batches after the oldest unsettled
// one can have been appended, and when that one is sent again after a
// lost answer it is still among the last five the broker appended, which
// it recognises as a duplicate. (Counting only unsettled batches, as a
// first try did, let later batches go on while the oldest waited to be
// sent again, pushed it out of the broker's five and left it refused as
// out of order until the flush timeout.) The broker appends a batch only
// when its sequence follows the last appended one, so batches sent out of
// order (after a retry) are refused as out of order and sent again,
// never appended out of order. Each request carries one batch of every
// partition of its broker. A nil window lets every batch go.
type window struct {
	mu    sync.Mutex
	n     int
	queue map[int32][]slot // per partition, from its oldest unsettled batch, in seal order
	wake  func()           // called when a partition may send another batch
	// doubt holds the partitions recovering from a batch that failed in
	// doubt, and quiet is called (without the lock) when such a partition
	// has no batch out any more: it needs a new producer id (indoubt.go).
	doubt map[int32]*recovery
	quiet func(p int32)
	// known holds the partitions where the producer id their batches
	// carry had a batch acked. Until then only a partition's oldest batch
	// may go: a broker takes the first batch of a producer id it does not
	// know whatever its sequence, so a later batch arriving first (the
	// oldest waits out a retry) would be appended and leave the oldest
	// refused as out of order for good.
	known map[int32]bool
}

// slot is a batch's place in its partition's window.
type slot struct {
	seq     uint64 // the batch's seal order
	settled bool
	sent    bool // taken to be sent at least once: it may be in the log
}

// newWindow returns a window of n batches per partition (1 to
// maxIdempotentOut); wake is called (without the lock) each time a
// partition's window moves.
func newWindow(n int, wake func()) *window {
	return &window{n: min(max(n, 1), maxIdempotentOut), queue: map[int32][]slot{}, wake: wake,
		doubt: map[int32]*recovery{}, quiet: func(int32) {}, known: map[int32]bool{}}
}

// sealed records b, sealed after every batch of its partition recorded.
func (g *window) sealed(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.queue[b.partition] = append(g.queue[b.partition], slot{seq: b.seq})
}

// mayGo reports whether b may be sent now: it is one of the n batches of
// its partition from the oldest unsettled one (the oldest alone until a
// batch of the partition's producer id was acked), and, while its
// partition recovers from a batch in doubt, one already sent.
func (g *window) mayGo(b *batch) bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.slotLocked(b) != nil
}

// slotLocked returns b's slot when b may be sent now, else nil.
func (g *window) slotLocked(b *batch) *slot {
	q := g.queue[b.partition]
	n := g.n
	if !g.known[b.partition] {
		n = 1
	}
	i := slices.IndexFunc(q[:min(len(q), n)], func(s slot) bool { return s.seq == b.seq })
	if i < 0 || !g.doubt[b.partition].lets(q[i]) {
		return nil
	}
	return &q[i]
}

// settled records that b was acknowledged or failed for good.
func (g *window) settled(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	q := g.queue[b.partition]
	i := slices.IndexFunc(q, func(s slot) bool { return s.seq == b.seq })
	if i >= 0 {
		q[i].settled = true
	}
	head := 0
	for head < len(q) && q[head].settled {
		head++
	}
	if head == len(q) {
		delete(g.queue, b.partition)
	} else if head > 0 {
		g.queue[b.partition] = slices.Delete(q, 0, head)
	}
	quiet := g.quietLocked(b.partition)
	g.mu.Unlock()
	if quiet {
		g.quiet(b.partition)
	}
	if head > 0 {
		g.wake()
	}
}
