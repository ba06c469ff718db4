package verify

import "time"

// sendWindow holds the sends of a producer incarnation that await an
// outcome: when each seq was handed over. A producer hands its seqs over
// in order, so the pending ones lie in a window from the oldest pending
// seq to the newest, kept in a ring indexed from the window's base. (A
// map of them, with many sends in flight and entries deleted as acks come
// back in any order, cost the producers a sixth of their CPU; a slice
// cut at the front and appended to at the back copied the whole window
// to a fresh array each time it ran out of room: BENCHMARKS.md, issue 17
// and session 7.)
type sendWindow struct {
	t0   time.Time // the clock the handing times count from
	base uint64    // seq of the window's first slot
	// at is a ring (its length a power of two, or 0) holding, per seq from
	// base, when it was handed over as 1 + nanoseconds since t0; 0 when
	// it is not pending. Slot k of the window is at[(head+k)&(len-1)].
	at   []int64
	head int
	span uint64 // slots of the window: the newest seq handed over - base + 1
	n    int    // pending sends
}

// minWindow is the ring's first size.
const minWindow = 64

func newSendWindow() *sendWindow { return &sendWindow{t0: time.Now()} }

// slot returns the index in at of the window's slot k (k < len(at)).
func (w *sendWindow) slot(k uint64) int { return (w.head + int(k)) & (len(w.at) - 1) }

// add makes seq pending, handed over now, and returns now (a monotonic
// time: see produce.Record.Handed). A seq below the window's base (one
// handed over before, which cannot happen) is ignored.
func (w *sendWindow) add(seq uint64) time.Time {
	now := time.Since(w.t0)
	if w.span == 0 {
		w.base = seq
	}
	if seq < w.base {
		return w.t0.Add(now)
	}
	k := seq - w.base
	if k >= uint64(len(w.at)) {
		w.grow(k + 1)
	}
	i := w.slot(k)
	if w.at[i] == 0 {
		w.n++
	}
	w.at[i] = int64(now) + 1
	w.span = max(w.span, k+1)
	return w.t0.Add(now)
}

// grow makes the ring hold at least need slots, the window's first at
// index 0.
func (w *sendWindow) grow(need uint64) {
	size := max(len(w.at), minWindow)
	for uint64(size) < need {
		size *= 2
	}
	at := make([]int64, size)
	for k := range w.span {
		at[k] = w.at[w.slot(k)]
	}
	w.at, w.head = at, 0
}

// take ends seq's wait and returns when it was handed over; false when
// seq is not pending.
func (w *sendWindow) take(seq uint64) (time.Time, bool) {
	if seq < w.base || seq-w.base >= w.span {
		return time.Time{}, false
	}
	i := w.slot(seq - w.base)
	handed := w.at[i] - 1
	if handed < 0 {
		return time.Time{}, false
	}
	w.at[i] = 0
	w.n--
	for w.span > 0 && w.at[w.head] == 0 {
		w.head = (w.head + 1) & (len(w.at) - 1)
		w.base++
		w.span--
	}
	return w.t0.Add(time.Duration(handed)), true
}

// each calls fn with every pending seq and how long it has waited, in
// seq order.
func (w *sendWindow) each(fn func(seq uint64, waited time.Duration)) {
	now := time.Since(w.t0)
	for k := range w.span {
		if at := w.at[w.slot(k)]; at != 0 {
			fn(w.base+k, now-time.Duration(at-1))
		}
	}
}

// len is the number of pending sends.
func (w *sendWindow) len() int { return w.n }
