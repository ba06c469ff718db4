package produce

import (
	"errors"
	"sync"
	"time"
)

// errClosed is returned by add once the producer stopped taking records.
var errClosed = errors.New("producer closed")

// errNotSent is the failure of a record read but not handed to the
// producer before it stopped.
var errNotSent = errors.New("not sent: the producer was stopped")

// stickyPartition asks the accumulator for the current sticky partition
// (records without a key under murmur2).
const stickyPartition int32 = -2

// maxFreeBatches bounds the batches kept for reuse.
const maxFreeBatches = 64

// accumulator collects records into one open batch per partition and seals
// a batch (hands it to the ready queue) when it is full or has lingered.
// It bounds the bytes of unfinished batches, making add wait for space.
type accumulator struct {
	mu      sync.Mutex
	space   *sync.Cond // broadcast when buffered bytes are released or on close
	open    []*batch   // by partition
	free    []*batch
	pending map[*batch]struct{} // sealed and not yet claimed
	idle    chan struct{}       // closed once closed and nothing is pending

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
}

// newAccumulator returns an accumulator that queues sealed batches on
// ready and tells onSeal their record counts.
func newAccumulator(partitions int32, s Settings, ready *queue[*batch], onSeal func(int)) *accumulator {
	a := &accumulator{
		open:       make([]*batch, partitions),
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
	// One monotonic reading gives both the latency clock and the
	// timestamp (cheaper than time.Now per record).
	enq := time.Since(a.start)
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
		if a.buffered > 0 && a.buffered+r.Size() > a.limit {
			a.sealAll()
			a.space.Wait()
			continue
		}
		p := part
		if p == stickyPartition {
			p = a.sticky
		}
		b := a.open[p]
		if b == nil {
			b = a.newBatch(p)
		}
		size := b.recordSize(r, ts)
		if len(b.recs) > 0 && b.size+size > a.batchBytes {
			a.seal(b)
			continue
		}
		b.add(r, ts, enq, size)
		a.buffered += size
		if b.size >= a.batchBytes || a.linger == 0 {
			a.seal(b)
		}
		return nil
	}
}

func (a *accumulator) newBatch(p int32) *batch {
	var b *batch
	if n := len(a.free); n > 0 {
		b, a.free = a.free[n-1], a.free[:n-1]
	} else {
		b = &batch{}
	}
	b.reset(p, a.arenaBytes)
	a.open[p] = b
	return b
}

// seal moves b from open to pending and queues it for sending. Sealing the
// sticky partition's batch moves stickiness to another partition, as the
// Java client does when a batch completes.
func (a *accumulator) seal(b *batch) {
	a.open[b.partition] = nil
	a.pending[b] = struct{}{}
	a.sealed++
	b.seq = a.sealed
	a.onSeal(len(b.recs))
	a.ready.push(b)
	if b.partition == a.sticky {
		a.sticky = nextSticky(a.sticky, int32(len(a.open)))
	}
}

func (a *accumulator) sealAll() {
	for _, b := range a.open {
		if b != nil {
			a.seal(b)
		}
	}
}

// sealLingering seals the open batches older than the linger time.
func (a *accumulator) sealLingering() {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.since()
	for _, b := range a.open {
		if b != nil && now-b.opened >= a.linger {
			a.seal(b)
		}
	}
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
	return true
}

// release returns a claimed batch's buffer space and keeps it for reuse.
func (a *accumulator) release(b *batch) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buffered -= b.size - batchOverhead
	if len(a.free) < maxFreeBatches {
		a.free = append(a.free, b)
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
		a.buffered -= b.size - batchOverhead
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
