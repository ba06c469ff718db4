package verify

import "time"

// sendWindow holds the sends of a producer incarnation that await an
// outcome: when each seq was handed over. A producer hands its seqs over
// in order, so the pending ones lie in a window from the oldest pending
// seq to the newest, kept in a slice indexed from the window's base. (A
// map of them, with many sends in flight and entries deleted as acks come
// back in any order, cost the producers a sixth of their CPU: BENCHMARKS.md,
// issue 17.)
type sendWindow struct {
	t0   time.Time // the clock the handing times count from
	base uint64    // seq of at[0]
	// at is, per seq from base, when it was handed over as 1 + nanoseconds
	// since t0; 0 when it is not pending.
	at []int64
	n  int // pending sends
}

func newSendWindow() *sendWindow { return &sendWindow{t0: time.Now()} }

// add makes seq pending, handed over now. A seq below the window's base
// (one handed over before, which cannot happen) is ignored.
func (w *sendWindow) add(seq uint64) {
	if len(w.at) == 0 {
		w.base = seq
	}
	if seq < w.base {
		return
	}
	for uint64(len(w.at)) <= seq-w.base {
		w.at = append(w.at, 0)
	}
	i := seq - w.base
	if w.at[i] == 0 {
		w.n++
	}
	w.at[i] = int64(time.Since(w.t0)) + 1
}

// take ends seq's wait and returns when it was handed over; false when
// seq is not pending.
func (w *sendWindow) take(seq uint64) (time.Time, bool) {
	if seq < w.base || seq-w.base >= uint64(len(w.at)) || w.at[seq-w.base] == 0 {
		return time.Time{}, false
	}
	i := seq - w.base
	handed := w.at[i] - 1
	w.at[i] = 0
	w.n--
	for len(w.at) > 0 && w.at[0] == 0 {
		w.at = w.at[1:]
		w.base++
	}
	return w.t0.Add(time.Duration(handed)), true
}

// each calls fn with every pending seq and how long it has waited, in
// seq order.
func (w *sendWindow) each(fn func(seq uint64, waited time.Duration)) {
	now := time.Since(w.t0)
	for i, at := range w.at {
		if at != 0 {
			fn(w.base+uint64(i), now-time.Duration(at-1))
		}
	}
}

// len is the number of pending sends.
func (w *sendWindow) len() int { return w.n }
