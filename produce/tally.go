package produce

import (
	"errors"
	"sync"
	"time"
)

// tally counts record outcomes and passes them to the reporter. Its
// methods with the Locked suffix need mu held; group many outcomes under
// one lock with [tally.with].
type tally struct {
	mu    sync.Mutex
	rep   Reporter
	batch BatchReporter // rep, when it takes acks together
	acks  []Ack         // gathered for batch until the lock is let go
	res   Result
	lat   latencyHist
}

func newTally(rep Reporter) *tally {
	t := &tally{rep: rep, lat: newLatencyHist()}
	t.batch, _ = rep.(BatchReporter)
	return t
}

// with runs fn with the tally locked, then hands a BatchReporter the acks
// fn counted.
func (t *tally) with(fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fn()
	t.flushAcksLocked()
}

// ackLocked counts an acked record of n key and value bytes.
func (t *tally) ackLocked(a Ack, n int, latency time.Duration) {
	t.res.Acked++
	t.res.Bytes += int64(n)
	t.lat.record(latency)
	switch {
	case t.batch != nil:
		t.acks = append(t.acks, a)
	case t.rep != nil:
		t.rep.Acked(a)
	}
}

// flushAcksLocked hands the acks gathered to the BatchReporter.
func (t *tally) flushAcksLocked() {
	if len(t.acks) == 0 {
		return
	}
	t.batch.AckedBatch(t.acks)
	clear(t.acks)
	t.acks = t.acks[:0]
}

// failLocked counts a failed or in-doubt record.
func (t *tally) failLocked(f Failure) {
	t.flushAcksLocked() // outcomes in order
	if errors.Is(f.Err, ErrInDoubt) {
		t.res.InDoubt++
	} else {
		t.res.Failed++
	}
	if t.rep != nil {
		t.rep.Failed(f)
	}
}

// sent counts n records handed to the producer.
func (t *tally) sent(n int) {
	t.with(func() { t.res.Sent += int64(n) })
}

// skipped counts a bad record skipped.
func (t *tally) skipped() {
	t.with(func() { t.res.Skipped++ })
}

// result returns the counts with the latency summary.
func (t *tally) result() Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.res
	r.Latency = t.lat.summary()
	return r
}

// queue is an unbounded FIFO whose push never blocks, so that sarama's
// response goroutines can hand work over without waiting for its consumer.
type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	ready  chan struct{} // holds a token while items is not empty or closed
	closed bool
	kicked bool // popAll returns even without items (see kick)
}

func newQueue[T any]() *queue[T] {
	return &queue[T]{ready: make(chan struct{}, 1)}
}

// push appends v; it reports false (dropping v) once the queue is closed.
func (q *queue[T]) push(v T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, v)
	q.signal()
	return true
}

// close makes pop return what is left, then false.
func (q *queue[T]) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.signal()
}

func (q *queue[T]) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// drain appends the items queued now to dst, without waiting.
func (q *queue[T]) drain(dst []T) []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.takeLocked(dst)
}

// takeLocked moves the items to dst; q.mu is held.
func (q *queue[T]) takeLocked(dst []T) []T {
	dst = append(dst, q.items...)
	clear(q.items)
	q.items = q.items[:0]
	return dst
}

// kick makes a waiting popAll return, with no items if there are none.
func (q *queue[T]) kick() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kicked = true
	q.signal()
}

// popAll waits for items and returns all of them, appended to dst; it
// returns false when the queue is closed and empty.
func (q *queue[T]) popAll(dst []T) ([]T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 || q.kicked {
			q.kicked = false
			dst = q.takeLocked(dst)
			q.mu.Unlock()
			return dst, true
		}
		if q.closed {
			q.mu.Unlock()
			q.signal() // wake the next popper too
			return dst, false
		}
		q.mu.Unlock()
		<-q.ready
	}
}
