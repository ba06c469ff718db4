package check

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// The poll and commit checks follow each consumer through each partition
// in time order: a cursor per consumer and partition sees its assign,
// revoke, seek, delivery and commit events (and the input a transaction
// read) sorted by their "ts" (by line for events without one), and judges
// them one after the other. A cursor keeps only its position, not its
// events, once judged; to put lines that come out of time order back in
// order it holds back up to reorderWindow of its latest events, and those
// less than reorderHorizon older than the newest time seen, judging them
// when pushed out or at [Checker.Result]. An event that comes after a
// later one of its cursor was judged is counted as out of order and not
// judged (a history written by kq is in time order).
const (
	reorderWindow  = 1024
	reorderHorizon = 30 * time.Second
	// sweepEvery is how many consumer events pass between sweeps of every
	// cursor for events past the horizon (idle cursors included).
	sweepEvery = 1 << 16
)

// itemKind is what a cursor item records. Its order breaks ties between
// items of one time: a revoke before an assign, a seek before the
// deliveries it places, a commit after the deliveries it covers.
type itemKind uint8

const (
	itemRevoke  itemKind = iota // the partition was taken away
	itemAssign                  // the partition was given: next delivery anywhere
	itemSeek                    // position moved to offset
	itemRead                    // a transaction read offset..last and processed it
	itemDeliver                 // a record delivered at offset
	itemCommit                  // offset committed (acknowledged)
)

// pollItem is one consumer event of a cursor, waiting to be judged.
type pollItem struct {
	t      int64  // Unix nanoseconds; 0 when the event has no time
	line   uint64 // order of arrival, for events without a time
	offset int64
	last   int64 // itemRead: last offset read
	kind   itemKind
}

// compareItems orders items by time, then kind, then offset; items
// without a time come first, in line order.
func compareItems(a, b *pollItem) int {
	if a.t == 0 && b.t == 0 {
		return cmp.Compare(a.line, b.line)
	}
	return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.kind, b.kind), cmp.Compare(a.offset, b.offset))
}

// cursor is one consumer in one partition.
type cursor struct {
	cons    uint32 // index into pollState.names
	log     *partLog
	pending []pollItem // pending[head:] wait, sorted by compareItems
	head    int
	judged  bool // an item was judged; lastKey is valid
	lastKey pollItem
	pos     position
}

// position is what a cursor knows after the items judged so far. Offsets
// are -1 when unknown.
type position struct {
	start  int64 // where the epoch (since the last assign, revoke or seek) started, if a seek said so
	last   int64 // the last offset delivered in the epoch
	lastT  int64 // its time
	hi     int64 // the highest offset processed in the epoch
	early  int64 // the highest commit made in the epoch before anything was processed, with start unknown
	earlyT int64
	next   int64 // the consumer's position: one past the last processed, or a commit's offset
	commit int64 // the last acknowledged commit
	commT  int64
}

func newPosition() position {
	return position{start: -1, last: -1, hi: -1, early: -1, next: -1, commit: -1}
}

// newEpoch starts afresh after an assignment change or a seek to start
// (-1 when not known).
func (p *position) newEpoch(start int64) {
	p.start, p.last, p.hi, p.early = start, -1, -1, -1
}

// pollState is the Checker's cursors.
type pollState struct {
	names   []string
	ids     map[string]uint32
	cursors map[cursorKey]*cursor
	order   []*cursor // in creation order
	lines   uint64
	newest  int64 // the newest time of any event added
	// lastName and lastCur are the cursor found last, as consecutive
	// events are often of one consumer and partition.
	lastName string
	lastCur  *cursor
}

type cursorKey struct {
	cons uint32
	log  *partLog
}

// pollGap is a jump of a consumer over the offsets from..to (inclusive):
// a poll skip if any of them is known to hold a visible record.
type pollGap struct {
	from, to int64
	t        int64
	cons     uint32
}

// pollSink receives what judging cursor items finds.
type pollSink struct {
	c    *Checker
	out  *Counts
	ex   *examples
	gaps func(*partLog, pollGap)
	// arrival is set for the sink of events being added, whose anomalies
	// the partition logs record for [Checker.EachAnomaly]; visit, for a
	// scan's sink, is told of each.
	arrival bool
	visit   func(Instance)
}

// consumerEvent routes a consumer event to its cursors.
func (c *Checker) consumerEvent(e *history.Event) {
	if e.Consumer == "" {
		return
	}
	ps := &c.polls
	ps.lines++
	it := pollItem{line: ps.lines, offset: e.Offset, last: e.Offset}
	if !e.Time.IsZero() {
		it.t = e.Time.UnixNano()
		ps.newest = max(ps.newest, it.t)
	}
	switch e.Type {
	case history.TypeAssign, history.TypeRevoke:
		it.kind = itemAssign
		if e.Type == history.TypeRevoke {
			it.kind = itemRevoke
		}
		for _, p := range e.Partitions {
			c.push(c.cursor(e.Consumer, e.Topic, p), it)
		}
		return
	case history.TypeSeek:
		it.kind = itemSeek
	case history.TypeDeliver:
		it.kind = itemDeliver
	case history.TypeCommit:
		if e.Status != history.StatusOK {
			return // a commit of unknown outcome shows nothing for sure
		}
		it.kind = itemCommit
	case history.TypeTxn:
		if e.Outcome != history.OutcomeCommitted {
			return // an aborted transaction's reads count for nothing
		}
		it.kind, it.last = itemRead, e.AbortEnd()
	}
	c.push(c.cursor(e.Consumer, e.Topic, e.Partition), it)
	if ps.lines%sweepEvery == 0 {
		for _, cur := range ps.order {
			c.judgeOld(cur)
		}
	}
}

// cursor returns the cursor of consumer in topic/partition, creating it.
func (c *Checker) cursor(consumer, topic string, partition int32) *cursor {
	ps := &c.polls
	if ps.lastCur != nil && ps.lastName == consumer && ps.lastCur.log.topic == topic && ps.lastCur.log.partition == partition {
		return ps.lastCur
	}
	id, ok := ps.ids[consumer]
	if !ok {
		if ps.ids == nil {
			ps.ids, ps.cursors = map[string]uint32{}, map[cursorKey]*cursor{}
		}
		id = uint32(len(ps.names))
		ps.ids[consumer] = id
		ps.names = append(ps.names, consumer)
	}
	k := cursorKey{id, c.log(topic, partition)}
	cur := ps.cursors[k]
	if cur == nil {
		cur = &cursor{cons: id, log: k.log, pos: newPosition()}
		ps.cursors[k] = cur
		ps.order = append(ps.order, cur)
	}
	ps.lastName, ps.lastCur = consumer, cur
	return cur
}

// push adds it to cur in time order, judging what falls out of the window.
func (c *Checker) push(cur *cursor, it pollItem) {
	if cur.judged && compareItems(&it, &cur.lastKey) < 0 {
		c.counts.OutOfOrder++
		return
	}
	cur.insert(it)
	sink := c.sink()
	for len(cur.pending)-cur.head > reorderWindow {
		cur.judgeFirst(&sink)
	}
	c.judgeOld(cur)
}

// insert puts it among the waiting items in order: at the end, usually.
// The items judged are dropped from the front of the slice when they are
// half of it, so the slice is reused rather than grown.
func (cur *cursor) insert(it pollItem) {
	if cur.head > 0 && cur.head >= len(cur.pending)/2 {
		n := copy(cur.pending, cur.pending[cur.head:])
		cur.pending, cur.head = cur.pending[:n], 0
	}
	w := cur.pending[cur.head:]
	if len(w) == 0 || compareItems(&w[len(w)-1], &it) <= 0 {
		cur.pending = append(cur.pending, it)
		return
	}
	i, _ := slices.BinarySearchFunc(w, it, func(a, b pollItem) int { return compareItems(&a, &b) })
	cur.pending = slices.Insert(cur.pending, cur.head+i, it)
}

// judgeOld judges the items of cur older than the horizon.
func (c *Checker) judgeOld(cur *cursor) {
	horizon := c.polls.newest - int64(reorderHorizon)
	sink := c.sink()
	for cur.head < len(cur.pending) && cur.pending[cur.head].t != 0 && cur.pending[cur.head].t < horizon {
		cur.judgeFirst(&sink)
	}
}

// sink is where items judged while events are added report.
func (c *Checker) sink() pollSink {
	return pollSink{c: c, out: &c.counts, ex: &c.examples, gaps: func(l *partLog, g pollGap) { l.gaps = append(l.gaps, g) }, arrival: true}
}

// judgeFirst judges the oldest pending item.
func (cur *cursor) judgeFirst(s *pollSink) {
	it := cur.pending[cur.head]
	cur.head++
	if cur.head == len(cur.pending) {
		cur.pending, cur.head = nil, 0 // let the backing array go
	}
	cur.judged, cur.lastKey = true, it
	cur.judge(&it, s)
}

// judge applies one item to the cursor's position.
func (cur *cursor) judge(it *pollItem, s *pollSink) {
	p := &cur.pos
	switch it.kind {
	case itemAssign, itemRevoke:
		p.newEpoch(-1)
	case itemSeek:
		p.newEpoch(it.offset)
	case itemRead:
		p.newEpoch(it.offset)
		p.last, p.lastT, p.hi, p.next = it.last, it.t, it.last, it.last+1
	case itemDeliver:
		cur.deliver(it, s)
	case itemCommit:
		cur.commit(it, s)
	}
}

// deliver judges a delivery against the previous one of the epoch (or the
// seek that started it): going back is a nonmonotonic poll, jumping ahead
// a gap, judged as a skip at the end when it hides a visible record.
func (cur *cursor) deliver(it *pollItem, s *pollSink) {
	p := &cur.pos
	prev, prevT := p.last, p.lastT
	if prev < 0 && p.start >= 0 {
		prev = p.start - 1
	}
	switch {
	case p.last < 0 && p.start < 0:
		// The first delivery of an epoch that started anywhere.
		if p.early > it.offset {
			s.commitAhead(cur, p.early, it.offset, p.earlyT, "committed before its first delivery of the assignment, which was at a lower offset")
		}
	case it.offset <= prev:
		s.out.NonmonotonicPolls++
		s.pollExample(AnomalyNonmonotonicPoll, cur, it.offset, fmt.Sprintf("%s delivered offset %d after offset %d%s, with no assignment change or seek between",
			s.c.polls.names[cur.cons], it.offset, prev, when(prevT, it.t)))
	case it.offset > prev+1:
		s.gaps(cur.log, pollGap{from: prev + 1, to: it.offset - 1, t: it.t, cons: cur.cons})
	}
	p.last, p.lastT, p.hi, p.early = it.offset, it.t, max(p.hi, it.offset), -1
	p.next = p.hi + 1
}

// commit judges a commit against what the epoch processed.
func (cur *cursor) commit(it *pollItem, s *pollSink) {
	p := &cur.pos
	p.commit, p.commT = it.offset, it.t
	switch {
	case p.hi >= 0 || p.start >= 0:
		at := max(p.hi+1, p.start)
		if it.offset > at {
			s.commitAhead(cur, it.offset, at, it.t, "committed past the records it had processed")
		}
	case it.offset > p.early:
		// Nothing processed yet and the start unknown: judged at the first
		// delivery. Without one, the commit is taken as the start.
		p.early, p.earlyT, p.next = it.offset, it.t, it.offset
	}
}

func (s *pollSink) commitAhead(cur *cursor, committed, position, t int64, why string) {
	s.out.CommitAhead++
	s.pollExample(AnomalyCommitAhead, cur, committed, fmt.Sprintf("%s %s: committed %d, position %d%s",
		s.c.polls.names[cur.cons], why, committed, position, when(0, t)))
}

func (s *pollSink) pollExample(a Anomaly, cur *cursor, offset int64, detail string) {
	ord := cur.log.peek(offset) & ordMask
	if s.arrival {
		cur.log.events[eventKind(a)].record(offset)
	}
	if s.visit != nil {
		s.visit(instanceAt(s.c, a, cur.log, offset, ord))
	}
	if s.ex.full(a) {
		return
	}
	s.ex.add(a, Example{Value: s.c.name(ord), Consumer: s.c.polls.names[cur.cons], Topic: cur.log.topic, Partition: cur.log.partition, Offset: offset, Detail: detail})
}

// when words the times of a pair of events (Unix nanoseconds, 0 unknown).
func when(a, b int64) string {
	switch {
	case b == 0:
		return ""
	case a == 0:
		return " at " + time.Unix(0, b).UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf(" at %s, %s later", time.Unix(0, b).UTC().Format(time.RFC3339Nano), time.Duration(b-a))
}
