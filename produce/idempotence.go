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
// batches, per partition, in the order the batches are sealed.
type sequences struct {
	id    int64
	epoch int16
	next  []int32 // by partition
}

// newSequences returns the sequences of producer id and epoch over
// partitions partitions.
func newSequences(id int64, epoch int16, partitions int32) *sequences {
	return &sequences{id: id, epoch: epoch, next: make([]int32, partitions)}
}

// assign gives a batch of records records in partition p its producer
// and first sequence, and moves the partition's next sequence past it; a
// nil s (no idempotence) gives noProducer. A sequence wraps to 0 after
// math.MaxInt32, as in Kafka.
func (s *sequences) assign(p int32, records int) producerSeq {
	if s == nil {
		return noProducer
	}
	first := s.next[p]
	s.next[p] = int32((int64(first) + int64(records)) % (math.MaxInt32 + 1))
	return producerSeq{id: s.id, epoch: s.epoch, seq: first}
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

// oneAtATime lets an idempotent producer have one batch per partition
// out at a time (sent, or waiting to be sent again): the oldest of the
// partition's batches not yet acknowledged or failed for good. A later
// batch goes only once the one before it settled, so the broker always
// gets a partition's sequences in order and a batch sent again after a
// lost answer is the last one it appended, which it recognises. (Two out
// at a time were tried: under lost answers a batch was occasionally left
// unsent until the flush timeout.) Each request still carries one batch
// of every partition of its broker. A nil oneAtATime lets every batch go.
type oneAtATime struct {
	mu    sync.Mutex
	queue map[int32][]uint64 // per partition, the seal order of its unsettled batches
	wake  func()             // called when a partition may send its next batch
}

// newOneAtATime returns the gate; wake is called (without the lock) each
// time a partition's oldest batch settled.
func newOneAtATime(wake func()) *oneAtATime {
	return &oneAtATime{queue: map[int32][]uint64{}, wake: wake}
}

// sealed records b, sealed after every batch of its partition recorded.
func (g *oneAtATime) sealed(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.queue[b.partition] = append(g.queue[b.partition], b.seq)
}

// mayGo reports whether b may be sent now: it is its partition's oldest
// unsettled batch.
func (g *oneAtATime) mayGo(b *batch) bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	q := g.queue[b.partition]
	return len(q) > 0 && q[0] == b.seq
}

// settled records that b was acknowledged or failed for good.
func (g *oneAtATime) settled(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	q := g.queue[b.partition]
	i := slices.Index(q, b.seq)
	if i >= 0 {
		q = slices.Delete(q, i, i+1)
		if len(q) == 0 {
			delete(g.queue, b.partition)
		} else {
			g.queue[b.partition] = q
		}
	}
	g.mu.Unlock()
	if i == 0 {
		g.wake()
	}
}
