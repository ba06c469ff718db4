package history

import (
	"bufio"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kq-dev/kq/internal/output"
)

// Sink receives each event a [Recorder] records, in the order they are
// written, one at a time. The checker is one.
type Sink interface {
	// Feed adds one event. The event is the Recorder's: the Sink reads
	// it during the call, and neither changes it nor keeps a pointer
	// into it (an event is some 400 bytes: passed by value, its copies
	// from the Recorder to each sink cost a run about a tenth of the
	// recording's time, BENCHMARKS.md session 7).
	Feed(e *Event) error
}

// Recorder writes a history as JSON lines and can feed a [Sink] as it goes,
// so a run does not re-read its own file. It is safe for concurrent use.
// Writes are buffered: call Flush or Close to push them out.
type Recorder struct {
	mu     sync.Mutex
	w      *bufio.Writer
	sink   Sink
	err    error // first write error; sticky
	closed bool
	// t0 is when the Recorder started; now counts from it.
	t0 time.Time
	// event holds the event Record records, under mu: the Sink gets a
	// pointer, and one to Record's argument would move it to the heap.
	event Event
}

// NewRecorder returns a Recorder writing to w and adding every event to s.
// Either may be nil: a nil w records nothing to disk, a nil s feeds
// nothing. The Recorder does not close w.
func NewRecorder(w io.Writer, s Sink) *Recorder {
	r := &Recorder{sink: s, t0: time.Now()}
	if w != nil {
		r.w = bufio.NewWriterSize(w, 64<<10)
	}
	return r
}

// Record validates e, stamps it with the current time if its Time is zero,
// writes it as one line and adds it to the Sink. An invalid event is
// rejected (a usage error) and neither written nor fed; an error from the
// Sink is returned after the line was written. After a write error every
// call returns that error.
func (r *Recorder) Record(e Event) error { return r.record(&e, time.Time{}) }

// RecordSend records the outcome of a send handed to the client at handed,
// as [Recorder.Record] does, with the latency from handed to the time it
// is stamped with: the event's time and latency come from one clock read.
// A zero handed leaves e.Latency as it is.
func (r *Recorder) RecordSend(e Event, handed time.Time) error { return r.record(&e, handed) }

// record is Record and RecordSend; it copies *e into r.event, under the
// lock, and keeps no pointer to it.
func (r *Recorder) record(e *Event, handed time.Time) error {
	if err := e.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.event = *e
	if r.event.Time.IsZero() {
		r.event.Time = r.now()
	}
	if !handed.IsZero() {
		r.event.Latency = r.event.Time.Sub(handed)
	}
	err := r.addLocked(&r.event, r.event.Time)
	r.event = Event{} // keeps no strings or slices alive
	return err
}

// addLocked stamps e with now unless it has a time (under the lock, so
// times ascend down the file), writes it and hands it to the sink; r.mu
// is held.
func (r *Recorder) addLocked(e *Event, now time.Time) error {
	if e.Time.IsZero() {
		e.Time = now
	}
	if err := r.write(e); err != nil {
		return err
	}
	if r.sink != nil {
		return r.sink.Feed(e)
	}
	return nil
}

// now is the time an event is stamped with: the Recorder's start moved on
// by the monotonic clock. It reads one clock where time.Now reads two (the
// wall clock too), and the times it gives ascend even when the wall
// clock is set back during a run.
func (r *Recorder) now() time.Time { return r.t0.Add(time.Since(r.t0)) }

// RecordAll records the events in order as [Recorder.Record] would, under
// one hold of the lock: events stamped here share the current time, which
// RecordAll sets in es. It is
// for a consumer that processed a run of records without pausing, whose
// deliveries would otherwise each wait for the lock in turn. If an event
// is invalid, none is recorded.
func (r *Recorder) RecordAll(es []Event) error { return r.recordAll(es, nil) }

// RecordSends records the outcomes of sends learnt together under one
// lock and one clock reading, each with its latency since its handed
// time (as RecordSend); es and handed pair up.
func (r *Recorder) RecordSends(es []Event, handed []time.Time) error {
	if len(es) != len(handed) {
		return fmt.Errorf("record sends: %d events, %d handed times", len(es), len(handed))
	}
	return r.recordAll(es, handed)
}

// recordAll is RecordAll, and RecordSends when handed is set.
func (r *Recorder) recordAll(es []Event, handed []time.Time) error {
	for i := range es {
		if err := es[i].Validate(); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	now := r.now()
	for i := range es {
		e := &es[i]
		if handed != nil && !handed[i].IsZero() {
			if e.Time.IsZero() {
				e.Time = now
			}
			e.Latency = e.Time.Sub(handed[i])
		}
		if err := r.addLocked(e, now); err != nil {
			return err
		}
	}
	return nil
}

// Hold runs fn while no event is being recorded, so fn may read the Sink
// while others Record (they wait for it).
func (r *Recorder) Hold(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn()
}

// Flush writes out buffered lines.
func (r *Recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flush()
}

// Close flushes and stops the Recorder: later calls to Record return
// [ErrClosed]. Closing twice is harmless.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.flush()
	r.closed = true
	return err
}

func (r *Recorder) usable() error {
	if r.closed {
		return ErrClosed
	}
	return r.err
}

func (r *Recorder) write(e *Event) error {
	if r.w == nil {
		return nil
	}
	b, err := output.MarshalJSON(e)
	if err != nil {
		return fmt.Errorf("encode history event: %w", err)
	}
	b = append(b, '\n')
	if _, err := r.w.Write(b); err != nil {
		r.err = fmt.Errorf("write history: %w", err)
		return r.err
	}
	return nil
}

func (r *Recorder) flush() error {
	if r.err != nil || r.w == nil || r.closed {
		return r.err
	}
	if err := r.w.Flush(); err != nil {
		r.err = fmt.Errorf("write history: %w", err)
	}
	return r.err
}
