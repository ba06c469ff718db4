package produce

import (
	"errors"
	"math/rand/v2"
	"sync"
	"time"
	"unsafe"
)

// errClosed is returned by add once the producer stopped taking records.
var errClosed = errors.New("producer closed")

// errNotSent is the failure of a record read but not handed to the
// producer before it stopped.
var errNotSent = errors.New("not sent: the producer was stopped")

// stickyPartition asks the accumulator for the current sticky partition
// (records without a key under murmur2).
const stickyPartition int32 = -2

// maxUnsettled is how many sealed batches of one partition may await their
// answer before a lingering batch of the partition stops being sealed: one
// the broker works on, one queued behind it. A broker handles one request
// per connection at a time (Kafka mutes a connection until its answer is
// sent) and answers acks=all only once the followers have the batch, so a
// partition's throughput is its batch size over that round trip; while
// earlier batches are unanswered, the open one keeps growing (up to
// BatchBytes) instead of being cut into small batches by linger.
const maxUnsettled = 2

// recMetaBytes is the memory a record's metadata takes beside its bytes.
const recMetaBytes = int(unsafe.Sizeof(recMeta{}))

// accumulator collects records into one open batch per partition and seals
// a batch (hands it to the ready queue) when it is full, or when it has
// lingered and fewer than maxUnsettled batches of its partition await an
// answer. It bounds the memory of unfinished batches (record bytes and
// metadata), making add wait for space.
type accumulator struct {
	mu        sync.Mutex
	space     *sync.Cond // broadcast when buffered bytes are released or on close
	open      []*batch   // by partition
	unsettled []int      // by partition: sealed batches not yet claimed
	free      []*batch
	freeBytes int                 // memory of the batches in free
	pending   map[*batch]struct{} // sealed and not yet claimed
	idle      chan struct{}       // closed once closed and nothing is pending

	buffered   int
	sealed     uint64 // batches sealed so far
	closed     bool
	sticky     int32
	start      time.Time
	startMs    int64 // start as a Unix ms timestamp
	batchBytes int
	arenaBytes int // initial arena of a new batch
	limit      int
	linger     time.Duration
	ready      *queue[*batch]
	onSeal     func(records int) // counts records handed to the sender
	seqs       *sequences        // nil unless idempotent
	gate       *window           // nil unless idempotent
}

// newAccumulator returns an accumulator that queues sealed batches on
// ready and tells onSeal their record counts.
func newAccumulator(partitions int32, s Settings, ready *queue[*batch], onSeal func(int)) *accumulator {
	a := &accumulator{
		open:       make([]*batch, partitions),
		unsettled:  make([]int, partitions),
		pending:    map[*batch]struct{}{},
		idle:       make(chan struct{}),
		sticky:     nextSticky(-1, partitions),
		batchBytes: s.BatchBytes,
		limit:      s.BufferBytes,
		linger:     s.Linger,
		ready:      ready,
		onSeal:     onSeal,
	}
	a.space = sync.NewCond(&a.mu)
	// A full batch's arena from the start, unless many partitions would
	// reserve more than the buffer holds.
	a.arenaBytes = min(s.BatchBytes, max(64<<10, s.BufferBytes/(2*int(partitions))))
	a.start = time.Now()
	a.startMs = a.start.UnixMilli()
	return a
}

// since returns the time since the accumulator started, the clock of
// linger and latency.
func (a *accumulator) since() time.Duration { return time.Since(a.start) }

// add copies r into the open batch of partition part (or of the sticky
// partition for stickyPartition). It waits while the buffer is full and
// returns errClosed after close.
func (a *accumulator) add(r *Record, part int32) error {
	// One monotonic reading (or the source's, Record.Handed) gives both
	// the latency clock and the timestamp (cheaper than time.Now per
	// record).
	enq := handedSince(a.start, r)
	ts := a.startMs + enq.Milliseconds()
	if !r.Timestamp.IsZero() {
		ts = r.Timestamp.UnixMilli()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for {
		if a.closed {
			return errClosed
		}
		p := part
		if p == stickyPartition {
			p = a.sticky
		}
		b := a.open[p]
		size := a.recordSize(b, r, ts)
		if a.buffered > 0 && a.buffered+size+recMetaBytes > a.limit {
			a.sealSendable(0)
			a.space.Wait()
			continue
		}
		if b == nil {
			b = a.newBatch(p)
		}
		if len(b.recs) > 0 && b.size+size > a.batchBytes {
			b.full = true
			a.seal(b)
			continue
		}
		b.add(r, ts, enq, size)
		a.buffered += size + recMetaBytes
		if b.size >= a.batchBytes || a.linger == 0 {
			b.full = b.size >= a.batchBytes
			a.seal(b)
		}
		return nil
	}
}

// recordSize is the encoded size of r in open batch b, or in a new batch
// when b is nil.
func (a *accumulator) recordSize(b *batch, r *Record, ts int64) int {
	if b == nil {
		var empty batch
		return empty.recordSize(r, ts)
	}
	return b.recordSize(r, ts)
}

func (a *accumulator) newBatch(p int32) *batch {
	var b *batch
	if n := len(a.free); n > 0 {
		b, a.free = a.free[n-1], a.free[:n-1]
		a.freeBytes -= b.memory()
	} else {
		b = &batch{}
	}
	b.reset(p, a.arenaBytes)
	a.open[p] = b
	return b
}

// seal moves b from open to pending and queues it for sending. Sealing the
// sticky partition's batch moves stickiness to another partition, as the
// Java client does when a batch completes (see leastLoaded).
func (a *accumulator) seal(b *batch) {
	a.open[b.partition] = nil
	a.pending[b] = struct{}{}
	a.unsettled[b.partition]++
	a.sealed++
	b.seq = a.sealed
	b.producer = a.seqs.assign(b.partition, len(b.recs))
	b.firstSeq.Store(b.producer.seq)
	a.gate.sealed(b)
	a.onSeal(len(b.recs))
	a.ready.push(b)
	if b.partition == a.sticky {
		a.sticky = a.leastLoaded(a.sticky)
	}
}

// leastLoaded picks the next sticky partition: one with the fewest sealed
// batches awaiting an answer, another than cur where that ties, at random
// among equals. It is the Java client's adaptive partitioning (KIP-794)
// made simple: a partition whose leader answers slowly, or that shares its
// leader with others, drains its batches slower and so gets fewer records,
// instead of each partition getting an equal share and the whole run
// waiting for the slowest leader.
func (a *accumulator) leastLoaded(cur int32) int32 {
	best, ties := int32(-1), int32(0)
	for p := range int32(len(a.unsettled)) {
		switch {
		case p == cur && len(a.unsettled) > 1:
			continue
		case best < 0 || a.unsettled[p] < a.unsettled[best]:
			best, ties = p, 1
		case a.unsettled[p] == a.unsettled[best]:
			// Reservoir sampling: each of the ties is kept with equal
			// chance.
			ties++
			if rand.Int32N(ties) == 0 {
				best = p
			}
		}
	}
	if cur >= 0 && int(cur) < len(a.unsettled) && a.unsettled[cur] < a.unsettled[best] {
		return cur
	}
	return best
}

func (a *accumulator) sealAll() {
	for _, b := range a.open {
		if b != nil {
			a.seal(b)
		}
	}
}

// sealSendable seals the open batches that have lingered for at least
// age and whose partition has fewer than maxUnsettled batches awaiting an
// answer.
func (a *accumulator) sealSendable(age time.Duration) {
	now := a.since()
	for _, b := range a.open {
		if b != nil && a.sendable(b, now, age) {
			a.seal(b)
		}
	}
}

// sendable reports whether open batch b may be sealed before it is full.
func (a *accumulator) sendable(b *batch, now, age time.Duration) bool {
	return now-b.opened >= age && a.unsettled[b.partition] < maxUnsettled
}

// sealLingering seals the open batches older than the linger time whose
// partition may take another batch.
func (a *accumulator) sealLingering() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sealSendable(a.linger)
}

// lingerLoop seals lingering batches until stop is closed.
func (a *accumulator) lingerLoop(stop <-chan struct{}) {
	t := time.NewTicker(max(a.linger/2, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			a.sealLingering()
		}
	}
}

// close stops add and seals every open batch.
func (a *accumulator) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	a.sealAll()
	a.space.Broadcast()
	a.checkIdle()
}

// claim takes b out of pending so the caller may report its records; it
// returns false when b was already abandoned.
func (a *accumulator) claim(b *batch) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.pending[b]; !ok {
		return false
	}
	delete(a.pending, b)
	a.unsettled[b.partition]--
	return true
}

// renumberAfter gives the batches of f's partition sealed after f, and
// the partition's next batch, the sequence numbers f's records had: f, a
// claimed batch of an idempotent producer, failed without being written,
// so the broker still expects f's first sequence, and every later batch
// would be refused as out of order until its own timeout (the Java
// client's adjustSequencesDueToFailedBatch). A batch already sent under
// its old numbers is refused as out of order and sent again under the new
// ones; none can have been appended, the broker having appended nothing
// past the gap f left.
func (a *accumulator) renumberAfter(f *batch) {
	if a.seqs == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.seqs.current(f) {
		return
	}
	n := len(f.recs)
	a.seqs.rewind(f.partition, n)
	for b := range a.pending {
		if b.partition == f.partition && b.seq > f.seq {
			b.firstSeq.Store(seqMinus(b.firstSeq.Load(), n))
		}
	}
}

// release returns a claimed batch's buffer space and keeps it for reuse
// while the batches kept hold at most half the buffer. The partition's
// open batch is sealed at once if it has lingered and may now be sent.
func (a *accumulator) release(b *batch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buffered -= b.cost()
	if m := b.memory(); a.freeBytes+m <= a.limit/2 {
		a.free = append(a.free, b)
		a.freeBytes += m
	}
	if o := a.open[b.partition]; o != nil && !a.closed && a.sendable(o, a.since(), a.linger) {
		a.seal(o)
	}
	a.space.Broadcast()
	a.checkIdle()
}

// abandon claims every pending batch, for the flush timeout; the caller
// reports them. Their buffers are not reused (a request may still hold
// them).
func (a *accumulator) abandon() []*batch {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*batch, 0, len(a.pending))
	for b := range a.pending {
		out = append(out, b)
		delete(a.pending, b)
		a.unsettled[b.partition]--
		a.buffered -= b.cost()
	}
	a.checkIdle()
	return out
}

// checkIdle closes idle once closed and nothing is pending.
func (a *accumulator) checkIdle() {
	if a.closed && len(a.pending) == 0 {
		select {
		case <-a.idle:
		default:
			close(a.idle)
		}
	}
}
