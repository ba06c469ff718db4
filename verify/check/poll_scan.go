package check

import (
	"fmt"
	"slices"

	"github.com/kq-dev/kq/verify/history"
)

// polls finishes the poll and commit checks for a Result: it judges, on
// copies, the items the cursors still hold, then the gaps (a skip is a gap
// over an offset known to hold a visible record), then each consumer's
// last commit against its position.
func (s *scan) polls() {
	ps := &s.c.polls
	late := map[*partLog][]pollGap{}
	sink := pollSink{c: s.c, out: s.out, ex: &s.ex, gaps: func(l *partLog, g pollGap) { late[l] = append(late[l], g) }, visit: s.visit}
	final := s.c.ev.end == history.OutcomeComplete
	for _, cur := range ps.order {
		cp := *cur
		for i := cp.head; i < len(cp.pending); i++ {
			cp.judge(&cp.pending[i], &sink)
		}
		if final {
			s.finalCommit(&cp)
		}
	}
	for _, l := range s.c.logs {
		if len(l.gaps) == 0 && len(late[l]) == 0 {
			continue
		}
		aborted := mergeSpans(l.abortedSpans())
		for _, gs := range [][]pollGap{l.gaps, late[l]} {
			for _, g := range gs {
				s.gap(l, g, aborted)
			}
		}
	}
}

// gap counts g as a poll skip when one of its offsets holds a record known
// to be visible: delivered there (to any consumer), and not aborted.
func (s *scan) gap(l *partLog, g pollGap, aborted []span) {
	n, first := l.visible(g.from, g.to, aborted)
	if n == 0 {
		return
	}
	s.out.PollSkips++
	ord := l.peek(first) & ordMask
	if s.visit != nil {
		s.visit(s.instance(AnomalyPollSkip, l, first, ord))
	}
	if s.ex.full(AnomalyPollSkip) {
		return
	}
	s.ex.add(AnomalyPollSkip, Example{Value: s.c.name(ord), Consumer: s.c.polls.names[g.cons], Topic: l.topic, Partition: l.partition, Offset: first,
		Detail: fmt.Sprintf("%s delivered offset %d after offset %d, skipping %s from offset %d%s",
			s.c.polls.names[g.cons], g.to+1, g.from-1, records(n), first, when(0, g.t))})
}

// finalCommit judges, after a complete run, a consumer that did not crash:
// its last commit in the partition must be its position.
func (s *scan) finalCommit(cur *cursor) {
	p := &cur.pos
	name := s.c.polls.names[cur.cons]
	if p.commit < 0 || p.next < 0 || p.commit == p.next || s.c.ev.crashed[name] {
		return
	}
	s.out.FinalCommitMismatch++
	ord := cur.log.peek(p.commit) & ordMask
	if s.visit != nil {
		s.visit(s.instance(AnomalyFinalCommit, cur.log, p.commit, ord))
	}
	if s.ex.full(AnomalyFinalCommit) {
		return
	}
	s.ex.add(AnomalyFinalCommit, Example{Value: s.c.name(ord), Consumer: name, Topic: cur.log.topic, Partition: cur.log.partition, Offset: p.commit,
		Detail: fmt.Sprintf("%s last committed %d%s, but its position was %d", name, p.commit, when(0, p.commT), p.next)})
}

// mergeSpans merges sorted, possibly overlapping spans into disjoint ones.
func mergeSpans(in []span) []span {
	var out []span
	for _, sp := range in {
		if n := len(out); n > 0 && sp.first <= out[n-1].last+1 {
			out[n-1].last = max(out[n-1].last, sp.last)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// coveredBy reports whether offset lies in one of the disjoint sorted spans.
func coveredBy(spans []span, offset int64) bool {
	i, _ := slices.BinarySearchFunc(spans, offset, func(sp span, o int64) int {
		switch {
		case sp.last < o:
			return -1
		case sp.first > o:
			return 1
		}
		return 0
	})
	return i < len(spans) && spans[i].first <= offset && offset <= spans[i].last
}

// visible counts the offsets from..to that some consumer was delivered a
// record at, outside the aborted spans, and returns the first. An offset
// only acknowledged is not proof of a record a consumer could read: a
// failover can cut an acknowledged tail from the log (acks=1), and then
// the value is lost, which the loss rules count, not skipped by a
// consumer.
func (l *partLog) visible(from, to int64, aborted []span) (n int, first int64) {
	first = -1
	l.eachIn(from, to, func(offset int64, slot uint32) {
		if !l.deliveredAt(offset, slot) || coveredBy(aborted, offset) {
			return
		}
		if n == 0 {
			first = offset
		}
		n++
	})
	return n, first
}

// eachIn calls fn with every slot in use from offset from to offset to,
// in offset order, at a cost bounded by the pages of the log.
func (l *partLog) eachIn(from, to int64, fn func(offset int64, slot uint32)) {
	in := func(k int64) {
		l.pages[k].each(func(i uint32, s uint32) bool {
			if o := k<<pageBits | int64(i); o >= from && o <= to {
				fn(o, s)
			}
			return true
		})
	}
	lo, hi := from>>pageBits, to>>pageBits
	if hi-lo+1 > int64(len(l.pages)) {
		for _, k := range l.sortedKeys() {
			if k >= lo && k <= hi {
				in(k)
			}
		}
		return
	}
	for k := lo; k <= hi; k++ {
		if l.pages[k] != nil {
			in(k)
		}
	}
}

// records words n visible records.
func records(n int) string {
	if n == 1 {
		return "1 visible record"
	}
	return fmt.Sprintf("%d visible records", n)
}

// deliveredAt reports whether a record was delivered at offset, whose slot
// is slot: its flag, or for an offset seen with several values, any of
// them.
func (l *partLog) deliveredAt(offset int64, slot uint32) bool {
	if slot&slotMulti == 0 {
		return slot&ordMask != ordEmpty && slot&slotDelivered != 0
	}
	for _, v := range l.multi[offset] {
		if v.delivered {
			return true
		}
	}
	return false
}
