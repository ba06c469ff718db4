package consume

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// partState is the delivery state of one partition.
type partState struct {
	tp offsets.TopicPartition
	stop
	// next is the next offset expected: the last one written plus one,
	// or the start.
	next int64
	// proven: a probe proved nothing deliverable in [next, proven).
	proven int64
	// assigned: the partition is being read (always in partition mode;
	// in the current assignment in group mode).
	assigned bool
	// started: the partition's consumer runs and next is known.
	started bool
	done    bool
	// epoch counts starts, so a probe result for an earlier start is
	// dropped.
	epoch int
	// quietSince is the last write or start; nextProbe the earliest time
	// for the next probe, probeWait the current probe back-off.
	quietSince, nextProbe time.Time
	probeWait             time.Duration
	// mark records a position to commit and commit commits marked
	// positions synchronously (group mode unless --no-commit; nil
	// otherwise); dirty says records were written since the last mark.
	mark   func(offset int64)
	commit func()
	dirty  bool
}

// reached reports whether the partition's next offset is at its bound.
func (s *partState) reached() bool { return s.next >= s.offset }

// engine is the single writer of a run: partition consumers hand it
// batches, it cuts them at the stop conditions, writes them to the sink,
// flushes when nothing else waits, marks offsets in group mode and decides
// when the run is over. Its methods are safe for concurrent use.
type engine struct {
	opts Options
	sink Sink
	// cancel ends the run's context once the engine stops.
	cancel context.CancelFunc

	// waiting counts callers queued for mu, so a deliverer flushes only
	// when nobody else has records ready.
	waiting atomic.Int32

	mu         sync.Mutex
	parts      map[offsets.TopicPartition]*partState
	haveAssign bool // an assignment is known (always in partition mode)
	stats      Stats
	stopped    bool
	err        error
	lastRecord time.Time
	dirty      []*partState
	// lastWarn is when OnUnreachable was last called.
	lastWarn time.Time
}

func newEngine(opts Options, sink Sink, cancel context.CancelFunc) *engine {
	return &engine{opts: opts, sink: sink, cancel: cancel, parts: map[offsets.TopicPartition]*partState{}, lastRecord: time.Now()}
}

// assign makes tps the partitions being read, with their stops, none of
// them started yet. With a bound and nothing assigned, the run is over.
func (e *engine) assign(tps []offsets.TopicPartition, stops map[offsets.TopicPartition]stop) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, tp := range tps {
		st := e.parts[tp]
		if st == nil {
			st = &partState{tp: tp, stop: stops[tp]}
			e.parts[tp] = st
		}
		st.assigned, st.started, st.done = true, false, false
	}
	e.haveAssign = true
	if len(tps) == 0 && e.opts.bounded() {
		e.stopLocked(StopEnd, nil)
	}
}

// unassign ends an assignment (a group session): it flushes and marks
// what was written, then forgets the session's mark and commit.
func (e *engine) unassign() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.flushLocked(); err != nil {
		e.stopLocked(StopError, err)
	}
	for _, st := range e.parts {
		st.assigned, st.started, st.mark, st.commit = false, false, nil, nil
	}
	e.haveAssign = false
}

// start starts an assigned partition at offset next; mark and commit are
// nil unless a group member commits. It returns the partition's state and
// whether it is done already.
func (e *engine) start(tp offsets.TopicPartition, next int64, mark func(int64), commit func()) (*partState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.parts[tp]
	if st == nil || !st.assigned {
		return st, true
	}
	st.next, st.proven, st.started, st.mark, st.commit = next, next, true, mark, commit
	st.done, st.dirty = false, false
	st.epoch++
	st.quietSince, st.probeWait = time.Now(), 0
	st.nextProbe = st.quietSince
	if st.reached() {
		e.partDoneLocked(st)
	}
	return st, st.done || e.stopped
}

// deliver writes a batch of one partition's records. more says the
// partition has further records waiting. It flushes when nothing else
// waits, and after every batch a group member marks for commit: what it
// commits must have reached the output, also when the output goes away
// mid-stream (kq consume -g G | head). It returns true once the partition
// or the run is done.
func (e *engine) deliver(st *partState, msgs []*sarama.ConsumerMessage, more bool) bool {
	e.waiting.Add(1)
	e.mu.Lock()
	e.waiting.Add(-1)
	defer e.mu.Unlock()
	if e.stopped || st.done || !st.assigned {
		return true
	}
	msgs, reached := e.cut(st, msgs)
	if err := e.writeLocked(st, msgs); err != nil {
		e.stopLocked(StopError, err)
		return true
	}
	if reached || st.reached() {
		e.partDoneLocked(st)
	}
	if e.opts.Count > 0 && e.stats.Records >= e.opts.Count {
		e.stopLocked(StopCount, nil)
	}
	if (st.dirty || !more && e.waiting.Load() == 0) && !e.stopped {
		if err := e.flushLocked(); err != nil {
			e.stopLocked(StopError, err)
		}
	}
	return e.stopped || st.done
}

// cut drops the records at or past the partition's bound and those over
// the count, and reports whether the bound was reached.
func (e *engine) cut(st *partState, msgs []*sarama.ConsumerMessage) ([]*sarama.ConsumerMessage, bool) {
	n, reached := len(msgs), false
	for i, m := range msgs {
		if m.Offset >= st.offset || timestampMillis(m) >= st.at {
			n, reached = i, true
			break
		}
	}
	if e.opts.Count > 0 {
		n = int(min(int64(n), e.opts.Count-e.stats.Records))
	}
	return msgs[:n], reached
}

// writeLocked writes msgs; with --commit before it commits them first.
func (e *engine) writeLocked(st *partState, msgs []*sarama.ConsumerMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	next := msgs[len(msgs)-1].Offset + 1
	if e.opts.Commit == setting.CommitBefore && st.mark != nil {
		st.mark(next)
		st.commit()
	}
	for _, m := range msgs {
		if err := e.sink.Write(m); err != nil {
			return err
		}
		e.stats.Records++
		e.stats.Bytes += recordBytes(m)
	}
	now := time.Now()
	st.next, st.quietSince, st.nextProbe, st.probeWait = next, now, now, 0
	st.proven = max(st.proven, next)
	e.lastRecord = now
	if e.opts.Commit == setting.CommitAfter && st.mark != nil && !st.dirty {
		st.dirty = true
		e.dirty = append(e.dirty, st)
	}
	return nil
}

// recordBytes is the size of a record's key, value and headers.
func recordBytes(m *sarama.ConsumerMessage) int64 {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return int64(n)
}

// flushLocked flushes the sink and then marks what it flushed.
func (e *engine) flushLocked() error {
	if err := e.sink.Flush(); err != nil {
		return err
	}
	for _, st := range e.dirty {
		if st.dirty && st.mark != nil {
			st.mark(st.next)
		}
		st.dirty = false
	}
	e.dirty = e.dirty[:0]
	return nil
}

// partDoneLocked marks a partition done and stops the run when every
// assigned partition is.
func (e *engine) partDoneLocked(st *partState) {
	st.done = true
	if !e.haveAssign {
		return
	}
	for _, s := range e.parts {
		if s.assigned && !s.done {
			return
		}
	}
	e.stopLocked(StopEnd, nil)
}

// stopLocked ends the run (the first reason wins), flushing and marking
// what was written.
func (e *engine) stopLocked(reason StopReason, err error) {
	if e.stopped {
		return
	}
	e.stopped = true
	e.stats.Stopped, e.err = reason, err
	if reason != StopError {
		if ferr := e.flushLocked(); ferr != nil {
			e.stats.Stopped, e.err = StopError, ferr
		}
	}
	e.cancel()
}

// stop ends the run from outside a delivery.
func (e *engine) stop(reason StopReason, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopLocked(reason, err)
}

// finish flushes what is left and returns the stats and the error that
// ended the run, if any.
func (e *engine) finish(elapsed time.Duration) (Stats, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stats.Stopped != StopError {
		if err := e.sink.Flush(); err != nil && e.err == nil {
			e.stats.Stopped, e.err = StopError, err
		}
	}
	e.stats.Elapsed = elapsed
	return e.stats, e.err
}
