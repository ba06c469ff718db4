package check

import (
	"cmp"
	"slices"
)

// A partition's log is kept as pages of slots, one 4-byte slot per offset
// that an ack or a delivery named. A slot holds the ordinal of the value
// first seen there, plus two flags. A page covers pageSize offsets; it
// starts as a short sorted list of the offsets named (8 bytes each) and
// becomes an array of pageSize slots once more than sparseMax of them are
// named, so a dense log costs four bytes per offset and a sparse one (say
// every 1024th offset) about 8 bytes plus a map entry per offset named:
// memory follows the records, not the span of offsets.
const (
	pageBits = 10
	pageSize = 1 << pageBits

	slotDelivered = 1 << 31 // the offset was delivered at least once
	slotConflict  = 1 << 30 // a second value was seen at the offset
	slotMulti     = 1 << 29 // the log's side table holds the values seen here
)

// seenValue is one value seen at an offset of the side table, and whether
// it was delivered there.
type seenValue struct {
	ord       uint32
	delivered bool
}

// distinct counts the values of vs that are not corrupt copies: two or
// more make the offset a conflict.
func distinct(vs []seenValue) int {
	n := 0
	for _, v := range vs {
		if v.ord != ordCorrupt {
			n++
		}
	}
	return n
}

// representative is the value a multi-valued offset stands for in the
// log's checks: its one value when the others are corrupt copies of it,
// else the lowest ordinal, which the scan does not use for a conflict.
func representative(vs []seenValue) uint32 {
	best := uint32(ordCorrupt)
	for _, v := range vs {
		if v.ord != ordCorrupt && (best == ordCorrupt || v.ord < best) {
			best = v.ord
		}
	}
	return best
}

type page [pageSize]uint32

// sparseMax is how many offsets a page lists before it becomes an array.
const sparseMax = pageSize / 8

// entry is one named offset of a sparse page: its index in the page and
// its slot.
type entry struct {
	idx  uint32
	slot uint32
}

// chunk is one page: a sorted list of entries while sparse, then dense.
type chunk struct {
	dense  *page
	sparse []entry
}

// slot returns the slot of index i, adding it if needed.
func (c *chunk) slot(i uint32) *uint32 {
	if c.dense != nil {
		return &c.dense[i]
	}
	j, found := slices.BinarySearchFunc(c.sparse, i, func(e entry, i uint32) int { return cmp.Compare(e.idx, i) })
	if found {
		return &c.sparse[j].slot
	}
	if len(c.sparse) >= sparseMax {
		c.dense = new(page)
		for _, e := range c.sparse {
			c.dense[e.idx] = e.slot
		}
		c.sparse = nil
		return &c.dense[i]
	}
	c.sparse = slices.Insert(c.sparse, j, entry{idx: i})
	return &c.sparse[j].slot
}

// each calls fn with the index and slot of every slot in use, in order,
// until fn returns false.
func (c *chunk) each(fn func(i uint32, slot uint32) bool) bool {
	if c.dense == nil {
		for _, e := range c.sparse {
			if e.slot != 0 && !fn(e.idx, e.slot) {
				return false
			}
		}
		return true
	}
	for i, s := range c.dense {
		if s != 0 && !fn(uint32(i), s) {
			return false
		}
	}
	return true
}

// densePartitions is how many partition numbers of a topic a slice indexes
// directly; higher ones go in a map.
const densePartitions = 1 << 12

// topicLogs finds the partition logs of one topic.
type topicLogs struct {
	dense  []*partLog
	sparse map[int32]*partLog
}

func (t *topicLogs) get(partition int32) *partLog {
	if int(partition) < len(t.dense) {
		return t.dense[partition]
	}
	return t.sparse[partition]
}

func (t *topicLogs) put(partition int32, l *partLog) {
	if partition >= densePartitions {
		if t.sparse == nil {
			t.sparse = map[int32]*partLog{}
		}
		t.sparse[partition] = l
		return
	}
	for int(partition) >= len(t.dense) {
		t.dense = append(t.dense, nil)
	}
	t.dense[partition] = l
}

// span is an inclusive range of offsets.
type span struct{ first, last int64 }

// partLog is what the checker knows of one topic partition's log.
type partLog struct {
	topic     string
	partition int32
	pages     map[int64]*chunk
	lastKey   int64
	last      *chunk
	aborted   []span
	// maxDelivered is the highest offset delivered, -1 for none.
	maxDelivered int64
	// gaps are the jumps consumers made over offsets, judged at the end.
	gaps []pollGap
	// multi holds the values of the offsets seen with more than one.
	multi map[int64][]seenValue
	// txns are the committed transactions' writes in the partition.
	txns []txnSpan
	// events are where the anomalies judged on arrival happened, by
	// eventKinds.
	events [len(eventKinds)]eventLog
}

// setMulti puts an offset in the side table.
func (l *partLog) setMulti(offset int64, vs []seenValue) {
	if l.multi == nil {
		l.multi = map[int64][]seenValue{}
	}
	l.multi[offset] = vs
}

func newPartLog(topic string, partition int32) *partLog {
	return &partLog{topic: topic, partition: partition, pages: map[int64]*chunk{}, lastKey: -1, maxDelivered: -1}
}

// slot returns the slot of offset, allocating its page if needed.
func (l *partLog) slot(offset int64) *uint32 {
	key := offset >> pageBits
	if key != l.lastKey {
		p, ok := l.pages[key]
		if !ok {
			p = &chunk{}
			l.pages[key] = p
		}
		l.lastKey, l.last = key, p
	}
	return l.last.slot(uint32(offset & (pageSize - 1)))
}

// peek returns the slot of offset without allocating: 0 when none.
func (l *partLog) peek(offset int64) uint32 {
	p, ok := l.pages[offset>>pageBits]
	if !ok {
		return 0
	}
	i := uint32(offset & (pageSize - 1))
	if p.dense != nil {
		return p.dense[i]
	}
	j, found := slices.BinarySearchFunc(p.sparse, i, func(e entry, i uint32) int { return cmp.Compare(e.idx, i) })
	if !found {
		return 0
	}
	return p.sparse[j].slot
}

// sortedKeys returns the keys of the log's pages in order.
func (l *partLog) sortedKeys() []int64 {
	keys := make([]int64, 0, len(l.pages))
	for k := range l.pages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// each calls fn with every offset holding a value, in offset order, until fn
// returns false.
func (l *partLog) each(fn func(offset int64, slot uint32) bool) bool {
	for _, k := range l.sortedKeys() {
		more := l.pages[k].each(func(i uint32, s uint32) bool { return fn(k<<pageBits|int64(i), s) })
		if !more {
			return false
		}
	}
	return true
}

// abortedSpans returns the aborted ranges sorted by first offset; they may
// overlap, which spanCursor allows.
func (l *partLog) abortedSpans() []span {
	s := slices.Clone(l.aborted)
	slices.SortFunc(s, func(a, b span) int { return cmp.Compare(a.first, b.first) })
	return s
}

// abort marks first through last as aborted, extending the latest range
// when the new one follows on from it.
func (l *partLog) abort(first, last int64) {
	if n := len(l.aborted); n > 0 && l.aborted[n-1].last+1 == first {
		l.aborted[n-1].last = last
		return
	}
	l.aborted = append(l.aborted, span{first, last})
}

// spanCursor answers "is offset aborted?" for ascending offsets, over spans
// sorted by first offset. Skipping the spans that end before offset is
// enough: if the next one starts after offset, so do all later ones.
type spanCursor struct {
	spans []span
	i     int
}

func (c *spanCursor) covers(offset int64) bool {
	for c.i < len(c.spans) && c.spans[c.i].last < offset {
		c.i++
	}
	return c.i < len(c.spans) && c.spans[c.i].first <= offset
}
