package check

import (
	"cmp"
	"slices"
)

// A partition's log is kept as pages of slots, one 4-byte slot per offset
// that an ack or a delivery named. A slot holds the ordinal of the value
// first seen there, plus two flags. Pages are allocated as offsets appear,
// so a dense log costs four bytes per offset and a sparse one at most one
// page per event.
const (
	pageBits = 10
	pageSize = 1 << pageBits

	slotDelivered = 1 << 31 // the offset was delivered at least once
	slotConflict  = 1 << 30 // a second value was seen at the offset
)

type page [pageSize]uint32

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
	pages     map[int64]*page
	lastKey   int64
	last      *page
	aborted   []span
	// maxDelivered is the highest offset delivered, -1 for none.
	maxDelivered int64
}

func newPartLog(topic string, partition int32) *partLog {
	return &partLog{topic: topic, partition: partition, pages: map[int64]*page{}, lastKey: -1, maxDelivered: -1}
}

// slot returns the slot of offset, allocating its page if needed.
func (l *partLog) slot(offset int64) *uint32 {
	key := offset >> pageBits
	if key != l.lastKey {
		p, ok := l.pages[key]
		if !ok {
			p = new(page)
			l.pages[key] = p
		}
		l.lastKey, l.last = key, p
	}
	return &l.last[offset&(pageSize-1)]
}

// each calls fn with every offset holding a value, in offset order, until fn
// returns false.
func (l *partLog) each(fn func(offset int64, slot uint32) bool) bool {
	keys := make([]int64, 0, len(l.pages))
	for k := range l.pages {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for i, s := range l.pages[k] {
			if s != 0 && !fn(k<<pageBits|int64(i), s) {
				return false
			}
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
