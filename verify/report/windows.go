package report

import "time"

// windows collects fault windows, bounded by max.
type windows struct {
	max     int
	items   []FaultWindow
	open    map[string]int // name and target of an open window → its index
	dropped uint64
}

func windowKey(name, target string) string { return name + "\x00" + target }

func (w *windows) add(fw FaultWindow) int {
	if len(w.items) >= w.max {
		w.dropped++
		return -1
	}
	w.items = append(w.items, fw)
	return len(w.items) - 1
}

// start opens a window; a second start of an open one is ignored.
func (w *windows) start(name, target string, at time.Duration) {
	k := windowKey(name, target)
	if _, ok := w.open[k]; ok {
		return
	}
	if i := w.add(FaultWindow{Name: name, Target: target, Start: at, End: at, Open: true}); i >= 0 {
		w.open[k] = i
	}
}

// end closes the open window of name and target; an end with no start
// becomes a window of no length.
func (w *windows) end(name, target string, at time.Duration) {
	k := windowKey(name, target)
	i, ok := w.open[k]
	if !ok {
		w.once(name, target, at)
		return
	}
	delete(w.open, k)
	w.items[i].End, w.items[i].Open = max(at, w.items[i].Start), false
}

// once adds a fault of no length, such as a crash.
func (w *windows) once(name, target string, at time.Duration) {
	w.add(FaultWindow{Name: name, Target: target, Start: at, End: at})
}

// list returns the windows, those still open ending at last.
func (w *windows) list(last time.Duration) []FaultWindow {
	out := make([]FaultWindow, len(w.items))
	copy(out, w.items)
	for _, i := range w.open {
		out[i].End = max(last, out[i].Start)
	}
	return out
}
