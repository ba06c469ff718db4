package check

import (
	"slices"
	"strings"

	"github.com/kq-dev/kq/verify/history"
)

// DefaultMaxExamples is the number of examples kept per anomaly when
// [Options].MaxExamples is zero.
const DefaultMaxExamples = 10

// Options configures a [Checker].
type Options struct {
	// MaxExamples bounds the examples kept per anomaly: zero means
	// DefaultMaxExamples, a negative number keeps none.
	MaxExamples int
	// Lenient reads a history file leniently (see
	// [history.ReadOptions]); it does not change the Checker.
	Lenient bool
}

// Checker counts the anomalies of a history, fed one event at a time in
// history order (sends and deliveries may interleave in any order).
//
// Memory is bounded by the values and offsets seen, not by the events: four
// bits per value in blocks of 64 consecutive sequence numbers of one
// producer, and four bytes per log offset named by an ack or a delivery
// (about 5 bytes per message in all when acks and deliveries name the same
// log; a copy pipeline whose acks name an input topic and whose deliveries
// name an output topic pays for both logs). Sequence numbers should count up
// from 0 per producer: widely scattered ones cost a block each.
//
// Feed it the deliveries of the consumer whose view is being judged (in a
// copy pipeline, the final validator's), not those of intermediate
// consumers: any delivery of a value counts against its loss.
//
// A Checker is not safe for concurrent use; a [history.Recorder] serialises the
// events it feeds one.
type Checker struct {
	values    valueIndex
	topics    map[string]*topicLogs
	lastTopic string
	last      *topicLogs // logs of lastTopic, nil before the first
	logs      []*partLog // every log, in creation order
	counts    Counts     // event counts and the anomalies judged as events arrive
	ev        evidence
	examples  examples
	polls     pollState
	txns      txnState
}

// New returns an empty Checker.
func New(opts Options) *Checker {
	n := opts.MaxExamples
	if n == 0 {
		n = DefaultMaxExamples
	}
	return &Checker{
		values:   newValueIndex(),
		topics:   map[string]*topicLogs{},
		examples: examples{max: max(n, 0)},
	}
}

// Add adds one event. Meta, fault and end events go to the [Evidence];
// the events of a named consumer (deliveries, assign, revoke, seek and
// commit) also go to the poll and commit checks. It fails on an
// invalid event (see [history.Event.Validate]) or when the history names more
// values than a Checker can number (about half a billion); the Checker is then
// unchanged.
func (c *Checker) Add(e history.Event) error { return c.Feed(&e) }

// Feed is [Checker.Add] for an event the caller keeps ([history.Sink]):
// the Checker reads *e during the call and keeps no pointer into it.
func (c *Checker) Feed(e *history.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	c.ev.add(e)
	switch e.Type {
	case history.TypeSend:
		return c.send(e)
	case history.TypeDeliver:
		if err := c.deliver(e); err != nil {
			return err
		}
	case history.TypeAbort:
		c.log(e.Topic, e.Partition).abort(e.Offset, e.AbortEnd())
	case history.TypeTxn:
		c.txn(e)
	}
	c.consumerEvent(e)
	return nil
}

// Evidence returns what the history added so far shows beyond its
// counts: its end, and the exposure of each fault its meta line names.
func (c *Checker) Evidence() Evidence { return c.ev.result() }

func (c *Checker) send(e *history.Event) error {
	ord, err := c.values.ordinal(e.Producer, e.Seq)
	if err != nil {
		return err
	}
	c.counts.Sent++
	switch e.Status {
	case history.StatusOK:
		c.counts.Acked++
		c.values.set(ord, kindAcked)
		c.values.noteLag(ord, e.Seq, e.Time, false)
		if e.Offset != history.NoOffset { // acks=0: acknowledged, offset unknown
			c.place(e, ord, false)
		}
	case history.StatusFail:
		c.counts.Failed++
		c.values.set(ord, kindFailed)
	case history.StatusInfo:
		c.counts.Indeterminate++
		c.values.set(ord, kindInfo)
	}
	return nil
}

func (c *Checker) deliver(e *history.Event) error {
	var ord uint32
	switch e.ValueStatus {
	case history.ValueCorrupt:
		ord = ordCorrupt
	case history.ValueUnknown:
		ord = ordUnknown
	default:
		var err error
		if ord, err = c.values.ordinal(e.Producer, e.Seq); err != nil {
			return err
		}
		c.values.set(ord, kindDelivered)
		c.values.noteLag(ord, e.Seq, e.Time, true)
	}
	c.counts.Delivered++
	c.place(e, ord, true)
	return nil
}

// place records that e saw the value ord at its offset: an ack when
// delivered is false, a delivery when it is true. It judges the anomalies
// one offset shows by itself: conflicts, redeliveries, corrupt and unknown
// values. An offset seen with more than one value (a conflict, or a
// corrupt copy of a value) keeps its values in the log's side table, so
// what it counts does not depend on which value came first.
func (c *Checker) place(e *history.Event, ord uint32, delivered bool) {
	l := c.log(e.Topic, e.Partition)
	slot := l.slot(e.Offset)
	if delivered {
		l.maxDelivered = max(l.maxDelivered, e.Offset)
	}
	held := *slot & ordMask
	switch {
	case held == ordEmpty:
		*slot = ord
	case *slot&slotMulti != 0:
		c.placeMulti(e, l, slot, ord, delivered)
		return
	case held != ord:
		vs := []seenValue{{held, *slot&slotDelivered != 0}, {ord: ord}}
		l.setMulti(e.Offset, vs)
		*slot = *slot&^(ordMask|slotDelivered) | slotMulti | representative(vs)
		if *slot&slotDelivered == 0 && vs[0].delivered {
			*slot |= slotDelivered
		}
		c.placeMulti(e, l, slot, ord, delivered)
		return
	}
	if !delivered {
		return
	}
	if *slot&slotDelivered != 0 {
		c.counts.Redeliveries++
		l.events[evRedelivery].record(e.Offset)
		c.example(AnomalyRedelivery, e, ord, "")
		return
	}
	*slot |= slotDelivered
	c.firstDelivery(e, l, ord)
}

// placeMulti is place for an offset seen with more than one value: a
// second value that is not a corrupt copy makes the offset a conflict
// (counted once), and each value's deliveries after its first are
// redeliveries.
func (c *Checker) placeMulti(e *history.Event, l *partLog, slot *uint32, ord uint32, delivered bool) {
	vs := l.multi[e.Offset]
	i := slices.IndexFunc(vs, func(v seenValue) bool { return v.ord == ord })
	if i < 0 {
		vs = append(vs, seenValue{ord: ord})
		i = len(vs) - 1
	}
	l.multi[e.Offset] = vs
	*slot = *slot&^ordMask | representative(vs)
	if *slot&slotConflict == 0 && distinct(vs) > 1 {
		*slot |= slotConflict
		c.counts.OffsetConflicts++
		l.events[evConflict].record(e.Offset)
		c.example(AnomalyOffsetConflict, e, ord, "offset also held "+c.others(vs, ord))
	}
	if !delivered {
		return
	}
	*slot |= slotDelivered
	if vs[i].delivered {
		c.counts.Redeliveries++
		l.events[evRedelivery].record(e.Offset)
		c.example(AnomalyRedelivery, e, ord, "")
		return
	}
	vs[i].delivered = true
	c.firstDelivery(e, l, ord)
}

// firstDelivery counts the first delivery of a corrupt or unknown record
// at an offset.
func (c *Checker) firstDelivery(e *history.Event, l *partLog, ord uint32) {
	switch ord {
	case ordCorrupt:
		c.counts.Corrupt++
		l.events[evCorrupt].record(e.Offset)
		c.example(AnomalyCorrupt, e, ord, "")
	case ordUnknown:
		c.counts.Unknown++
		l.events[evUnknown].record(e.Offset)
		c.example(AnomalyUnknown, e, ord, "")
	}
}

// others describes the values of vs other than ord, for a human.
func (c *Checker) others(vs []seenValue, ord uint32) string {
	var parts []string
	for _, v := range vs {
		if v.ord != ord && v.ord != ordCorrupt {
			parts = append(parts, c.describe(v.ord))
		}
	}
	return strings.Join(parts, ", ")
}

// log returns the log of topic/partition, creating it if needed.
func (c *Checker) log(topic string, partition int32) *partLog {
	if c.last == nil || topic != c.lastTopic {
		tl, ok := c.topics[topic]
		if !ok {
			tl = &topicLogs{}
			c.topics[topic] = tl
		}
		c.lastTopic, c.last = topic, tl
	}
	l := c.last.get(partition)
	if l == nil {
		l = newPartLog(topic, partition)
		c.last.put(partition, l)
		c.logs = append(c.logs, l)
	}
	return l
}

func (c *Checker) example(a Anomaly, e *history.Event, ord uint32, detail string) {
	if c.examples.full(a) {
		return
	}
	c.examples.add(a, Example{Value: c.name(ord), Consumer: e.Consumer, Topic: e.Topic, Partition: e.Partition, Offset: e.Offset, Detail: detail})
}

// name returns ord as "producer/seq", or empty for a non-value.
func (c *Checker) name(ord uint32) string {
	if ord < firstValueOrd {
		return ""
	}
	return c.values.value(ord).String()
}

// describe returns what a slot holding ord held, for a human.
func (c *Checker) describe(ord uint32) string {
	switch ord {
	case ordCorrupt:
		return "a corrupt value"
	case ordUnknown:
		return "a value kq did not write"
	}
	return c.values.value(ord).String()
}
