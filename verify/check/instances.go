package check

import (
	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/history"
)

// Instance is one unit of an anomaly's count: [Checker.EachAnomaly] gives
// exactly as many instances of each anomaly as [Checker.Result] counts.
type Instance struct {
	// Anomaly is the anomaly's key.
	Anomaly Anomaly
	// Value is the value concerned when Named; a corrupt or unknown
	// record names none.
	Value seqmsg.Value
	Named bool
	// Topic and Partition say where, with Offset when known; Partition is
	// [history.NoOffset] when the history places the value nowhere (an
	// acks=0 value never delivered), Offset too when only the partition is
	// known.
	Topic     string
	Partition int32
	Offset    int64
}

// eventKinds are the anomalies judged as events arrive, in the order of
// partLog.events (nonmonotonic polls and commits ahead are judged on
// arrival or, for events still held back to be ordered, by each scan).
var eventKinds = [...]Anomaly{AnomalyOffsetConflict, AnomalyRedelivery, AnomalyCorrupt, AnomalyUnknown,
	AnomalyNonmonotonicPoll, AnomalyCommitAhead}

const (
	evConflict = iota
	evRedelivery
	evCorrupt
	evUnknown
	evNonmonotonic
	evCommitAhead
)

// eventKind returns the index of a in eventKinds.
func eventKind(a Anomaly) int {
	for i, k := range eventKinds {
		if k == a {
			return i
		}
	}
	panic("check: " + string(a) + " is not judged on arrival")
}

// maxEventSpans bounds the spans a partition keeps per anomaly judged on
// arrival; past it, instances are counted against the partition without
// their offsets.
const maxEventSpans = 1 << 14

// eventLog is where one anomaly judged on arrival happened in one
// partition: runs of consecutive offsets, one instance per offset of each
// run (an offset redelivered twice is in two runs).
type eventLog struct {
	spans    []span
	overflow uint64
}

func (l *eventLog) record(offset int64) {
	if n := len(l.spans); n > 0 && l.spans[n-1].last+1 == offset {
		l.spans[n-1].last = offset
		return
	}
	if len(l.spans) >= maxEventSpans {
		l.overflow++
		return
	}
	l.spans = append(l.spans, span{offset, offset})
}

// EachAnomaly calls fn once per unit of every anomaly count of the events
// added so far, with its value and place: the anomalies found on arrival
// (conflicts, redeliveries, corrupt and unknown records, nonmonotonic
// polls and commits ahead) partition by partition, then those the log scan
// finds, then the value-level ones (aborted, lost, unseen, failed yet
// delivered, unsent) at the first offset their value was seen, then the
// poll and transaction ones the scan judges (a poll skip at the first
// visible offset skipped, a final commit at the offset committed, a torn
// transaction at its first offset, with no value). Its memory is that of
// [Checker.Result] plus five bits per value; its time grows with the
// instances.
func (c *Checker) EachAnomaly(fn func(Instance)) {
	logs := c.sortedLogs()
	for _, l := range logs {
		c.eachOnArrival(l, fn)
	}
	var out Counts
	s := newScan(c, &out)
	s.visit = fn
	for _, l := range logs {
		s.partition(l)
	}
	s.values()
	s.polls()
	s.torn()
}

// eachOnArrival visits one partition's anomalies judged on arrival.
func (c *Checker) eachOnArrival(l *partLog, fn func(Instance)) {
	for k := range l.events {
		a := eventKinds[k]
		for _, sp := range l.events[k].spans {
			for off := sp.first; off <= sp.last; off++ {
				in := Instance{Anomaly: a, Topic: l.topic, Partition: l.partition, Offset: off}
				if k != evCorrupt && k != evUnknown {
					in.Value, in.Named = c.valueAt(l, off)
				}
				fn(in)
			}
		}
		for range l.events[k].overflow {
			fn(Instance{Anomaly: a, Topic: l.topic, Partition: l.partition, Offset: history.NoOffset})
		}
	}
}

// valueAt returns the value a log slot names, if any.
func (c *Checker) valueAt(l *partLog, offset int64) (seqmsg.Value, bool) {
	ord := l.peek(offset) & ordMask
	if ord < firstValueOrd {
		return seqmsg.Value{}, false
	}
	return c.values.value(ord), true
}

// instance returns an Instance of a at a log slot holding ord.
func (s *scan) instance(a Anomaly, l *partLog, offset int64, ord uint32) Instance {
	return instanceAt(s.c, a, l, offset, ord)
}

// instanceAt returns an Instance of a at a log slot holding ord.
func instanceAt(c *Checker, a Anomaly, l *partLog, offset int64, ord uint32) Instance {
	in := Instance{Anomaly: a, Topic: l.topic, Partition: l.partition, Offset: offset}
	if ord >= firstValueOrd {
		in.Value, in.Named = c.values.value(ord), true
	}
	return in
}

// valueKinds are the value-level anomalies, in the order of scan.valueBits.
var valueKinds = [...]Anomaly{AnomalyAborted, AnomalyLost, AnomalyUnseen, AnomalyFailDelivered, AnomalyUnsentDelivered}

// keepValueBits remembers, when visiting, the value-level anomalies of the
// 64 values from ordinal base.
func (s *scan) keepValueBits(base uint32, ws [len(valueKinds)]uint64) {
	if s.visit == nil {
		return
	}
	if s.valueBits[0] == nil {
		for i := range s.valueBits {
			s.valueBits[i] = newBitmap(s.c.values.ordinals())
		}
	}
	for i, w := range ws {
		s.valueBits[i][base/64] = w
	}
}

// visitValues visits the value-level anomalies kept: each at the first
// offset its value was seen, in log order, then those seen nowhere.
func (s *scan) visitValues() {
	if s.visit == nil || s.valueBits[0] == nil {
		return
	}
	for _, l := range s.c.sortedLogs() {
		l.each(func(offset int64, slot uint32) bool {
			if ord := slot & ordMask; ord >= firstValueOrd {
				s.visitValue(ord, l.topic, l.partition, offset)
			}
			return true
		})
	}
	for w := range s.valueBits[0] {
		var any uint64
		for i := range s.valueBits {
			any |= s.valueBits[i][w]
		}
		forEach(any, uint32(w*64), func(ord uint32) bool {
			s.visitValue(ord, "", history.NoOffset, history.NoOffset)
			return true
		})
	}
}

// visitValue visits ord's value-level anomalies once, at the place given.
func (s *scan) visitValue(ord uint32, topic string, partition int32, offset int64) {
	for i, bm := range s.valueBits {
		if bm.has(ord) {
			bm.clear(ord)
			s.visit(Instance{Anomaly: valueKinds[i], Value: s.c.values.value(ord), Named: true,
				Topic: topic, Partition: partition, Offset: offset})
		}
	}
}
