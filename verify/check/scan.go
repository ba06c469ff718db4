package check

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"

	"github.com/kq-dev/kq/verify/history"
)

// Result returns the counts of everything added so far. The anomalies that
// need the whole log (log duplicates, reordering, aborted reads, loss) are
// judged here, by a scan of the logs in offset order, so Result may be
// called at any time and as often as wanted; each call costs a pass over
// the logs.
func (c *Checker) Result() Counts {
	out := c.counts
	s := newScan(c, &out)
	for _, l := range c.sortedLogs() {
		s.partition(l)
	}
	s.values()
	s.polls()
	s.torn()
	out.RealtimeLag = s.lag()
	out.Duplicated = out.LogDuplicates + out.Redeliveries
	out.Examples = s.ex.m
	return out
}

// scan is the state of one Result call.
type scan struct {
	c   *Checker
	out *Counts
	ex  examples

	seen        bitmap // values placed in the current topic
	committed   bitmap // values delivered at an offset not aborted
	abortedDel  bitmap // values delivered at an aborted offset
	abortedSeen bitmap // values placed at an aborted offset
	liveSeen    bitmap // values placed at an offset not aborted
	beyond      bitmap // values placed after the last delivered offset of their partition
	topic       string
	topicLogs   []*partLog

	// Per producer (dense index): the last sequence number seen in the
	// current partition, valid when stamp equals gen.
	lastSeq []uint64
	stamp   []uint32
	gen     uint32

	// visit, when set, is told of every anomaly instance (see
	// [Checker.EachAnomaly]); valueBits then keep the value-level ones
	// until the scan can place them.
	visit     func(Instance)
	valueBits [len(valueKinds)]bitmap
}

func newScan(c *Checker, out *Counts) *scan {
	n := c.values.ordinals()
	p := len(c.values.producers)
	return &scan{
		c: c, out: out, ex: c.examples.clone(),
		seen: newBitmap(n), committed: newBitmap(n), abortedDel: newBitmap(n), beyond: newBitmap(n),
		abortedSeen: newBitmap(n), liveSeen: newBitmap(n),
		lastSeq: make([]uint64, p), stamp: make([]uint32, p),
	}
}

// sortedLogs returns the logs by topic, then partition.
func (c *Checker) sortedLogs() []*partLog {
	logs := slices.Clone(c.logs)
	slices.SortFunc(logs, func(a, b *partLog) int {
		return cmp.Or(cmp.Compare(a.topic, b.topic), cmp.Compare(a.partition, b.partition))
	})
	return logs
}

// partition scans one partition's log in offset order.
func (s *scan) partition(l *partLog) {
	if len(s.topicLogs) > 0 && l.topic != s.topic {
		s.forgetTopic()
	}
	s.topic = l.topic
	s.topicLogs = append(s.topicLogs, l)
	s.gen++
	cur := spanCursor{spans: l.abortedSpans()}
	l.each(func(offset int64, slot uint32) bool {
		s.offset(l, offset, slot, cur.covers(offset))
		return true
	})
}

// forgetTopic clears the seen bits of the topic just scanned: a value may be
// in two topics (a copy pipeline) without being a duplicate.
func (s *scan) forgetTopic() {
	for _, l := range s.topicLogs {
		l.each(func(_ int64, slot uint32) bool {
			if ord := slot & ordMask; ord >= firstValueOrd {
				s.seen.clear(ord)
			}
			return true
		})
	}
	s.topicLogs = s.topicLogs[:0]
}

// offset judges one offset. Aborted offsets are not part of the committed
// log: delivering one is an aborted read, and they take no part in
// duplicate or order checks. Nor does an offset seen with two values: which
// one it held is unknown.
func (s *scan) offset(l *partLog, offset int64, slot uint32, aborted bool) {
	ord, delivered := slot&ordMask, slot&slotDelivered != 0
	vs := []seenValue{{ord, delivered}}
	if slot&slotMulti != 0 {
		vs = l.multi[offset]
	}
	if aborted {
		if delivered {
			s.out.AbortedReads++
			s.example(AnomalyAbortedRead, l, offset, ord, "")
		}
		for _, v := range vs {
			if v.ord >= firstValueOrd {
				s.abortedSeen.set(v.ord)
				if v.delivered {
					s.abortedDel.set(v.ord)
				}
			}
		}
		return
	}
	for _, v := range vs {
		if v.ord < firstValueOrd {
			continue
		}
		s.liveSeen.set(v.ord)
		if offset > l.maxDelivered {
			s.beyond.set(v.ord)
		}
		if v.delivered || (delivered && slot&slotConflict == 0) {
			s.committed.set(v.ord)
		}
	}
	if ord < firstValueOrd || slot&slotConflict != 0 {
		return
	}
	if s.seen.has(ord) {
		s.out.LogDuplicates++
		s.example(AnomalyLogDuplicate, l, offset, ord, "value also at a lower offset or partition")
		return
	}
	s.seen.set(ord)
	s.order(l, offset, ord)
}

// order counts ord as reordered when its producer's previous value in this
// partition had a higher sequence number.
func (s *scan) order(l *partLog, offset int64, ord uint32) {
	b, i := s.c.values.block(ord)
	seq := b.base + uint64(i)
	p := b.pidx
	if s.stamp[p] == s.gen && seq < s.lastSeq[p] {
		s.out.Reordered++
		s.example(AnomalyReordered, l, offset, ord, fmt.Sprintf("after seq %d", s.lastSeq[p]))
	}
	s.stamp[p], s.lastSeq[p] = s.gen, seq
}

func (s *scan) example(a Anomaly, l *partLog, offset int64, ord uint32, detail string) {
	if s.visit != nil {
		s.visit(s.instance(a, l, offset, ord))
	}
	if s.ex.full(a) {
		return
	}
	s.ex.add(a, Example{Value: s.c.name(ord), Topic: l.topic, Partition: l.partition, Offset: offset, Detail: detail})
}

// values judges every value from its bits: lost, delivered though failed,
// delivered though never sent.
func (s *scan) values() {
	var want []valueExample
	for id, b := range s.c.values.blocks {
		if b == nil {
			continue
		}
		for w := range blockWords {
			base := uint32(id)<<blockBits | uint32(w*64)
			lost, failDel, unsent := s.judgeWord(b, w, base)
			// Acknowledged only inside aborted transactions: aborted, not lost.
			aborted := lost & s.abortedSeen.word(base) &^ s.liveSeen.word(base)
			lost &^= aborted
			unseen := lost & s.beyond.word(base)
			lost &^= unseen
			s.out.Aborted += uint64(bits.OnesCount64(aborted))
			s.out.Lost += uint64(bits.OnesCount64(lost))
			s.out.Unseen += uint64(bits.OnesCount64(unseen))
			s.out.FailDelivered += uint64(bits.OnesCount64(failDel))
			s.out.Unsent += uint64(bits.OnesCount64(unsent))
			want = s.want(want, AnomalyAborted, aborted, base)
			want = s.want(want, AnomalyLost, lost, base)
			want = s.want(want, AnomalyUnseen, unseen, base)
			want = s.want(want, AnomalyFailDelivered, failDel, base)
			want = s.want(want, AnomalyUnsentDelivered, unsent, base)
			s.keepValueBits(base, [len(valueKinds)]uint64{aborted, lost, unseen, failDel, unsent})
		}
	}
	s.placeExamples(want)
	s.visitValues()
}

// judgeWord returns the lost, fail-delivered and unsent bits of the 64
// values starting at ordinal base, word w of block b.
func (s *scan) judgeWord(b *seqBlock, w int, base uint32) (lost, failDel, unsent uint64) {
	acked, failed, info := b.bits[kindAcked][w], b.bits[kindFailed][w], b.bits[kindInfo][w]
	delivered := b.bits[kindDelivered][w]
	// A value delivered only at aborted offsets was not really delivered;
	// one delivered only where another value held the slot counts as
	// delivered, as the scan cannot tell.
	visible := delivered &^ (s.abortedDel.word(base) &^ s.committed.word(base))
	lost = acked &^ visible
	failDel = failed &^ acked &^ info & visible
	unsent = delivered &^ (acked | failed | info)
	return lost, failDel, unsent
}

// valueDetail explains a value-level example.
func valueDetail(a Anomaly) string {
	switch a {
	case AnomalyLost:
		return "acknowledged, never delivered, although a later offset of its partition was"
	case AnomalyUnseen:
		return "acknowledged, never delivered, and nothing after it in its partition was read"
	case AnomalyAborted:
		return "acknowledged only at offsets an aborted transaction wrote, never delivered"
	case AnomalyFailDelivered:
		return "every send was reported failed, yet the value was delivered"
	default:
		return "delivered, but no send of it is in the history"
	}
}

// valueExample is a value-level anomaly waiting for its place in the log.
type valueExample struct {
	a   Anomaly
	ord uint32
}

// want appends the values of w (ordinals from base) wanted as examples of a.
func (s *scan) want(dst []valueExample, a Anomaly, w uint64, base uint32) []valueExample {
	room := s.ex.max - len(s.ex.m[a])
	for _, v := range dst {
		if v.a == a {
			room--
		}
	}
	forEach(w, base, func(ord uint32) bool {
		if room <= 0 {
			return false
		}
		dst = append(dst, valueExample{a, ord})
		room--
		return true
	})
	return dst
}

// placeExamples finds where in the logs the wanted values were seen (the
// first offset of each, if any) and adds them as examples.
func (s *scan) placeExamples(want []valueExample) {
	if len(want) == 0 {
		return
	}
	at := make(map[uint32]Example, len(want))
	for _, v := range want {
		at[v.ord] = Example{Value: s.c.name(v.ord), Partition: history.NoOffset, Offset: history.NoOffset}
	}
	s.locate(at)
	for _, v := range want {
		e := at[v.ord]
		e.Detail = valueDetail(v.a)
		s.ex.add(v.a, e)
	}
}

// locate fills in the first place in the logs of each value in at.
func (s *scan) locate(at map[uint32]Example) {
	left := len(at)
	for _, l := range s.c.sortedLogs() {
		l.each(func(offset int64, slot uint32) bool {
			ord := slot & ordMask
			if e, ok := at[ord]; ok && e.Offset == history.NoOffset {
				e.Topic, e.Partition, e.Offset = l.topic, l.partition, offset
				at[ord] = e
				left--
			}
			return left > 0
		})
		if left == 0 {
			return
		}
	}
}
