package history

import (
	"container/heap"
	"fmt"
	"io"
	"os"
)

// Source is one history to merge: a name for errors (the file's path)
// and its lines.
type Source struct {
	Name string
	R    io.Reader
}

// Merger reads several histories as one, in time order: the histories of
// the workers of one run (kq verify --worker), each written in its own
// time order. It holds one line of each at a time, so merging N files
// costs N read buffers, not the files. Events of one source keep their
// order; events of different sources are ordered by time, ties (and
// untimed events, which sort first) by source.
//
// The meta line that opens a source is not returned by Next: [Merger.Metas]
// has them, read before the first event, so a reader can judge the set of
// histories before it reads any.
type Merger struct {
	srcs  []Source
	scans []*Scanner
	metas []*Event
	h     mergeHeap
	err   error
	cur   int
	line  int
	ev    Event
}

// NewMerger reads the first line of each source and returns a Merger. An
// error reading or decoding one of them is returned naming the source.
func NewMerger(srcs []Source, opts ReadOptions) (*Merger, error) {
	m := &Merger{srcs: srcs, metas: make([]*Event, len(srcs))}
	for i, src := range srcs {
		s := NewScanner(src.R, opts)
		m.scans = append(m.scans, s)
		if !s.Scan() {
			if err := s.Err(); err != nil {
				return nil, m.named(i, err)
			}
			continue
		}
		e := s.Event()
		if e.Type == TypeMeta {
			meta := e
			m.metas[i] = &meta
			if !m.advance(i) {
				if m.err != nil {
					return nil, m.err
				}
				continue
			}
			e = s.Event()
		}
		heap.Push(&m.h, mergeHead{src: i, ev: e, line: s.Line()})
	}
	return m, nil
}

// Metas returns the meta line opening each source, nil for a source that
// opens without one.
func (m *Merger) Metas() []*Event { return m.metas }

// Next moves to the next event in time order; false at the end or on an
// error (see Err).
func (m *Merger) Next() bool {
	if m.err != nil || m.h.Len() == 0 {
		return false
	}
	head := heap.Pop(&m.h).(mergeHead)
	m.cur, m.ev, m.line = head.src, head.ev, head.line
	if s := m.scans[head.src]; m.advance(head.src) {
		heap.Push(&m.h, mergeHead{src: head.src, ev: s.Event(), line: s.Line()})
	}
	return true
}

// Event returns the event Next moved to, and the index of its source.
func (m *Merger) Event() (int, Event) { return m.cur, m.ev }

// Err returns the error that stopped Next, naming its source; nil at the
// end of every source.
func (m *Merger) Err() error { return m.err }

// Wrap names the line (and, of several, the source) of the current event in err, an error
// from handling it.
func (m *Merger) Wrap(err error) error {
	return m.named(m.cur, fmt.Errorf("history line %d: %w", m.line, err))
}

// advance scans source i's next line; false at its end or on an error,
// which it keeps.
func (m *Merger) advance(i int) bool {
	s := m.scans[i]
	if s.Scan() {
		return true
	}
	if err := s.Err(); err != nil {
		m.err = m.named(i, err)
	}
	return false
}

// named prefixes err with source i's name, when there are several.
func (m *Merger) named(i int, err error) error {
	if len(m.srcs) == 1 {
		return err
	}
	return fmt.Errorf("%s: %w", m.srcs[i].Name, err)
}

// mergeHead is the next event of one source.
type mergeHead struct {
	src  int
	ev   Event
	line int
}

// mergeHeap orders the heads by time, then source.
type mergeHeap []mergeHead

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := h[i].ev.Time.Compare(h[j].ev.Time); c != 0 {
		return c < 0
	}
	return h[i].src < h[j].src
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push adds a head.
func (h *mergeHeap) Push(x any) { *h = append(*h, x.(mergeHead)) }

// Pop removes the last head.
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// OpenFiles opens the files at paths as sources, named by their paths;
// closeAll closes them. On an error none is left open.
func OpenFiles(paths []string) (srcs []Source, closeAll func(), err error) {
	var files []io.Closer
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open history: %w", err)
		}
		files = append(files, f)
		srcs = append(srcs, Source{Name: p, R: f})
	}
	return srcs, closeAll, nil
}
