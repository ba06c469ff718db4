package check

import (
	"reflect"
	"testing"

	"github.com/kq-dev/kq/verify/history"
)

// Hand-made history builders: topic "t" unless said otherwise.

func ack(p uint32, seq uint64, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeSend, Producer: p, Seq: seq, Status: history.StatusOK, Topic: "t", Partition: part, Offset: off}
}

func sendStatus(st history.Status, p uint32, seq uint64) history.Event {
	return history.Event{Type: history.TypeSend, Producer: p, Seq: seq, Status: st, Partition: history.NoOffset, Offset: history.NoOffset}
}

func del(p uint32, seq uint64, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeDeliver, Producer: p, Seq: seq, Topic: "t", Partition: part, Offset: off}
}

func bad(vs history.ValueStatus, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeDeliver, ValueStatus: vs, Topic: "t", Partition: part, Offset: off}
}

func abortAt(part int32, first, last int64) history.Event {
	return history.Event{Type: history.TypeAbort, Topic: "t", Partition: part, Offset: first, LastOffset: last}
}

func inTopic(topic string, e history.Event) history.Event {
	e.Topic = topic
	return e
}

// ackDel is a value acknowledged and delivered once at the same place.
func ackDel(p uint32, seq uint64, part int32, off int64) []history.Event {
	return []history.Event{ack(p, seq, part, off), del(p, seq, part, off)}
}

// infoDels is n indeterminate sends of producer 0, delivered at offsets 0
// to n-1 of partition 0.
func infoDels(n int) []history.Event {
	var out []history.Event
	for i := range n {
		out = append(out, sendStatus(history.StatusInfo, 0, uint64(i)), del(0, uint64(i), 0, int64(i)))
	}
	return out
}

func join(groups ...[]history.Event) []history.Event {
	var out []history.Event
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func check(t *testing.T, opts Options, events []history.Event) Counts {
	t.Helper()
	c := New(opts)
	for i, e := range events {
		if err := c.Add(e); err != nil {
			t.Fatalf("Add(event %d %+v): %v", i, e, err)
		}
	}
	return c.Result()
}

// countsOnly drops the examples, to compare numbers.
func countsOnly(c Counts) Counts {
	c.Examples = nil
	return c
}

func TestCheckerAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []history.Event
		want   Counts
	}{{
		name:   "clean two producers two partitions",
		events: join(ackDel(0, 0, 0, 0), ackDel(1, 0, 1, 0), ackDel(0, 1, 0, 1), ackDel(1, 1, 1, 1), ackDel(1, 2, 0, 2)),
		want:   Counts{Sent: 5, Acked: 5, Delivered: 5},
	}, {
		name:   "unseen: acked, never delivered, nothing after it read",
		events: join(ackDel(0, 0, 0, 0), []history.Event{ack(0, 1, 0, 1)}),
		want:   Counts{Sent: 2, Acked: 2, Delivered: 1, Unseen: 1},
	}, {
		name:   "lost: acked, never delivered, a later offset read",
		events: join(ackDel(0, 0, 0, 0), []history.Event{ack(0, 1, 0, 1)}, ackDel(0, 2, 0, 2)),
		want:   Counts{Sent: 3, Acked: 3, Delivered: 2, Lost: 1},
	}, {
		name:   "acks=0: acked at no offset, never delivered, is lost",
		events: join(ackDel(0, 0, 0, 0), []history.Event{{Type: history.TypeSend, Producer: 0, Seq: 1, Status: history.StatusOK, Topic: "t", Partition: 0, Offset: history.NoOffset}}),
		want:   Counts{Sent: 2, Acked: 2, Delivered: 1, Lost: 1},
	}, {
		name:   "log duplicate: one value at two delivered offsets",
		events: join(ackDel(0, 0, 0, 0), []history.Event{del(0, 0, 0, 1)}),
		want:   Counts{Sent: 1, Acked: 1, Delivered: 2, LogDuplicates: 1, Duplicated: 1},
	}, {
		name:   "log duplicate: acked at one offset, delivered at another",
		events: []history.Event{ack(0, 0, 0, 0), del(0, 0, 0, 1)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 1, LogDuplicates: 1, Duplicated: 1},
	}, {
		name:   "log duplicate: delivered before its ack arrives",
		events: []history.Event{del(0, 0, 0, 3), ack(0, 0, 0, 2)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 1, LogDuplicates: 1, Duplicated: 1},
	}, {
		name:   "redelivery: one offset delivered three times",
		events: join(ackDel(0, 0, 0, 0), []history.Event{del(0, 0, 0, 0), del(0, 0, 0, 0)}),
		want:   Counts{Sent: 1, Acked: 1, Delivered: 3, Redeliveries: 2, Duplicated: 2},
	}, {
		name:   "offset conflict via acks",
		events: []history.Event{ack(0, 0, 0, 5), ack(0, 1, 0, 5), del(0, 0, 0, 5), del(0, 1, 0, 6)},
		want:   Counts{Sent: 2, Acked: 2, Delivered: 2, OffsetConflicts: 1},
	}, {
		name: "offset conflict via deliveries, counted once per offset",
		events: []history.Event{sendStatus(history.StatusInfo, 0, 0), sendStatus(history.StatusInfo, 1, 0),
			del(0, 0, 0, 3), del(1, 0, 0, 3), del(1, 0, 0, 3)},
		want: Counts{Sent: 2, Indeterminate: 2, Delivered: 3, OffsetConflicts: 1, Redeliveries: 1, Duplicated: 1},
	}, {
		name: "offset conflict: each value's own redeliveries count, in any order",
		events: []history.Event{ack(0, 0, 0, 3), del(1, 0, 0, 3), del(0, 0, 0, 3), del(1, 0, 0, 3), del(0, 0, 0, 3),
			sendStatus(history.StatusInfo, 1, 0)},
		want: Counts{Sent: 2, Acked: 1, Indeterminate: 1, Delivered: 4, OffsetConflicts: 1, Redeliveries: 2, Duplicated: 2},
	}, {
		name: "offset conflict: the offset takes no part in duplicate and order checks",
		events: []history.Event{ack(0, 0, 0, 0), ack(0, 1, 0, 1), del(0, 0, 0, 0), del(0, 1, 0, 1), del(0, 0, 0, 1),
			ack(0, 2, 0, 2), del(0, 2, 0, 2)},
		want: Counts{Sent: 3, Acked: 3, Delivered: 4, OffsetConflicts: 1},
	}, {
		name: "offset conflict between an ack and a delivery",
		events: []history.Event{ack(0, 0, 0, 0), ack(0, 1, 0, 1), del(0, 0, 0, 0), del(0, 1, 0, 1),
			del(0, 0, 0, 1)},
		want: Counts{Sent: 2, Acked: 2, Delivered: 3, OffsetConflicts: 1},
	}, {
		name:   "reordered in the log",
		events: join(ackDel(0, 0, 0, 0), ackDel(0, 2, 0, 1), ackDel(0, 1, 0, 2), ackDel(0, 3, 0, 3)),
		want:   Counts{Sent: 4, Acked: 4, Delivered: 4, Reordered: 1},
	}, {
		name: "reordered: judged per producer and partition",
		events: join(ackDel(0, 5, 0, 0), ackDel(1, 0, 0, 1), ackDel(0, 6, 0, 2), ackDel(1, 1, 0, 3),
			ackDel(0, 0, 1, 0), ackDel(0, 1, 1, 1)),
		want: Counts{Sent: 6, Acked: 6, Delivered: 6},
	}, {
		name: "redeliveries out of arrival order are not reorderings",
		events: []history.Event{del(0, 2, 0, 2), del(0, 1, 0, 1), del(0, 0, 0, 0),
			ack(0, 0, 0, 0), ack(0, 1, 0, 1), ack(0, 2, 0, 2),
			del(0, 0, 0, 0), del(0, 1, 0, 1)},
		want: Counts{Sent: 3, Acked: 3, Delivered: 5, Redeliveries: 2, Duplicated: 2},
	}, {
		name:   "a log duplicate later in the log is not also a reordering",
		events: join(ackDel(0, 0, 0, 0), ackDel(0, 1, 0, 1), []history.Event{del(0, 0, 0, 2)}, ackDel(0, 2, 0, 3)),
		want:   Counts{Sent: 3, Acked: 3, Delivered: 4, LogDuplicates: 1, Duplicated: 1},
	}, {
		name:   "aborted read",
		events: []history.Event{sendStatus(history.StatusInfo, 0, 0), abortAt(0, 10, 12), del(0, 0, 0, 11)},
		want:   Counts{Sent: 1, Indeterminate: 1, Delivered: 1, AbortedReads: 1},
	}, {
		name:   "aborted read judged when the abort arrives after the delivery",
		events: []history.Event{sendStatus(history.StatusInfo, 0, 0), del(0, 0, 0, 10), abortAt(0, 10, 10)},
		want:   Counts{Sent: 1, Indeterminate: 1, Delivered: 1, AbortedReads: 1},
	}, {
		name:   "acked value seen only at an aborted offset is aborted, not lost",
		events: []history.Event{ack(0, 0, 0, 10), abortAt(0, 10, 10), del(0, 0, 0, 10), del(0, 1, 0, 11)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 2, AbortedReads: 1, Aborted: 1, Unsent: 1},
	}, {
		name:   "aborted: acknowledged in an aborted range, never delivered, abort line first or last",
		events: []history.Event{abortAt(0, 0, 1), ack(0, 0, 0, 0), ack(0, 1, 0, 1), ack(0, 2, 0, 2), del(0, 2, 0, 2), ack(0, 3, 0, 3), abortAt(0, 3, 3)},
		want:   Counts{Sent: 4, Acked: 4, Delivered: 1, Aborted: 3},
	}, {
		name:   "acknowledged in an aborted range and again at a committed offset, never delivered, is lost",
		events: []history.Event{abortAt(0, 0, 0), ack(0, 0, 0, 0), ack(0, 0, 0, 1), ackDel(0, 1, 0, 2)[0], ackDel(0, 1, 0, 2)[1]},
		want:   Counts{Sent: 3, Acked: 3, Delivered: 1, Lost: 1},
	}, {
		name: "aborted copy then committed copy is not a duplicate",
		events: []history.Event{sendStatus(history.StatusInfo, 0, 0), abortAt(0, 0, 1), del(0, 0, 0, 0),
			del(0, 0, 0, 2)},
		want: Counts{Sent: 1, Indeterminate: 1, Delivered: 2, AbortedReads: 1},
	}, {
		name:   "overlapping and adjacent aborts in any order",
		events: join(infoDels(12), []history.Event{abortAt(0, 5, 7), abortAt(0, 0, 2), abortAt(0, 1, 6), abortAt(0, 9, 9), abortAt(0, 10, 10)}),
		want:   Counts{Sent: 12, Indeterminate: 12, Delivered: 12, AbortedReads: 10},
	}, {
		name:   "corrupt value",
		events: join(ackDel(0, 0, 0, 0), []history.Event{bad(history.ValueCorrupt, 0, 1), bad(history.ValueCorrupt, 0, 1)}),
		want:   Counts{Sent: 1, Acked: 1, Delivered: 3, Corrupt: 1, Redeliveries: 1, Duplicated: 1},
	}, {
		name:   "unknown value",
		events: join(ackDel(0, 0, 0, 0), []history.Event{bad(history.ValueUnknown, 0, 1)}),
		want:   Counts{Sent: 1, Acked: 1, Delivered: 2, Unknown: 1},
	}, {
		name:   "corrupt delivery where an ack placed a value is corrupt, not a conflict",
		events: []history.Event{ack(0, 0, 0, 0), bad(history.ValueCorrupt, 0, 0)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 1, Corrupt: 1, Lost: 1},
	}, {
		name:   "corrupt delivery before the ack of its offset: the same",
		events: []history.Event{bad(history.ValueCorrupt, 0, 0), ack(0, 0, 0, 0)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 1, Corrupt: 1, Lost: 1},
	}, {
		name:   "unknown delivery where an ack placed a value is a conflict",
		events: []history.Event{ack(0, 0, 0, 0), bad(history.ValueUnknown, 0, 0)},
		want:   Counts{Sent: 1, Acked: 1, Delivered: 1, Unknown: 1, OffsetConflicts: 1, Lost: 1},
	}, {
		name:   "failed send delivered",
		events: []history.Event{sendStatus(history.StatusFail, 0, 0), del(0, 0, 0, 0)},
		want:   Counts{Sent: 1, Failed: 1, Delivered: 1, FailDelivered: 1},
	}, {
		name:   "failed send retried and acked is not fail-delivered",
		events: join([]history.Event{sendStatus(history.StatusFail, 0, 0)}, ackDel(0, 0, 0, 0)),
		want:   Counts{Sent: 2, Failed: 1, Acked: 1, Delivered: 1},
	}, {
		name:   "failed sends not delivered and indeterminate ones either way are fine",
		events: []history.Event{sendStatus(history.StatusFail, 0, 0), sendStatus(history.StatusInfo, 0, 1), sendStatus(history.StatusInfo, 0, 2), del(0, 2, 0, 0)},
		want:   Counts{Sent: 3, Failed: 1, Indeterminate: 2, Delivered: 1},
	}, {
		name:   "unsent value delivered",
		events: join(ackDel(0, 0, 0, 0), []history.Event{del(0, 1, 0, 1)}),
		want:   Counts{Sent: 1, Acked: 1, Delivered: 2, Unsent: 1},
	}, {
		name: "copy pipeline: acks in one topic, deliveries in another",
		events: []history.Event{inTopic("in", ack(0, 0, 0, 0)), inTopic("in", ack(0, 1, 0, 1)),
			inTopic("out", del(0, 0, 0, 7)), inTopic("out", del(0, 1, 0, 9))},
		want: Counts{Sent: 2, Acked: 2, Delivered: 2},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := countsOnly(check(t, Options{}, tc.events))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("counts\n got %+v\nwant %+v", got, tc.want)
			}
			if got := tally(feed(t, tc.events)); !reflect.DeepEqual(got, anomaliesOnly(tc.want)) {
				t.Errorf("instances\n got %+v\nwant %+v", got, anomaliesOnly(tc.want))
			}
		})
	}
}

func TestCheckerExamples(t *testing.T) {
	events := join(ackDel(3, 0, 2, 40), []history.Event{ack(3, 1, 2, 41)},
		ackDel(3, 3, 2, 42), ackDel(3, 2, 2, 43), []history.Event{del(3, 3, 2, 42), ack(3, 4, 2, 44)})
	got := check(t, Options{}, events).Examples
	want := map[Anomaly][]Example{
		AnomalyLost:       {{Value: "3/1", Topic: "t", Partition: 2, Offset: 41, Detail: "acknowledged, never delivered, although a later offset of its partition was"}},
		AnomalyUnseen:     {{Value: "3/4", Topic: "t", Partition: 2, Offset: 44, Detail: "acknowledged, never delivered, and nothing after it in its partition was read"}},
		AnomalyReordered:  {{Value: "3/2", Topic: "t", Partition: 2, Offset: 43, Detail: "after seq 3"}},
		AnomalyRedelivery: {{Value: "3/3", Topic: "t", Partition: 2, Offset: 42}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("examples\n got %+v\nwant %+v", got, want)
	}
}

func TestCheckerExamplesBounded(t *testing.T) {
	var events []history.Event
	for i := range uint64(20) {
		events = append(events, ack(0, i, 0, int64(i)), sendStatus(history.StatusFail, 1, i), del(1, i, 1, int64(i)))
	}
	for _, tc := range []struct {
		max, want int
	}{{0, DefaultMaxExamples}, {3, 3}, {-1, 0}} {
		c := check(t, Options{MaxExamples: tc.max}, events)
		if c.Unseen != 20 || c.FailDelivered != 20 {
			t.Fatalf("MaxExamples %d: unseen %d, fail_delivered %d, want 20 each", tc.max, c.Unseen, c.FailDelivered)
		}
		for _, a := range []Anomaly{AnomalyUnseen, AnomalyFailDelivered} {
			if n := len(c.Examples[a]); n != tc.want {
				t.Errorf("MaxExamples %d: %d examples of %s, want %d", tc.max, n, a, tc.want)
			}
		}
		if tc.want > 0 {
			first := c.Examples[AnomalyFailDelivered][0]
			if first.Value != "1/0" || first.Partition != 1 || first.Offset != 0 {
				t.Errorf("first fail_delivered example %+v, want 1/0 at 1/0", first)
			}
		}
	}
}

func TestCheckerLostWithoutPlace(t *testing.T) {
	// The ack slot lost a conflict, so the lost value has no place of its own.
	c := check(t, Options{}, []history.Event{ack(0, 0, 0, 0), ack(0, 1, 0, 0), del(0, 0, 0, 0)})
	want := []Example{{Value: "0/1", Partition: history.NoOffset, Offset: history.NoOffset, Detail: "acknowledged, never delivered, although a later offset of its partition was"}}
	if c.Lost != 1 || !reflect.DeepEqual(c.Examples[AnomalyLost], want) {
		t.Errorf("lost %d, examples %+v, want 1 and %+v", c.Lost, c.Examples[AnomalyLost], want)
	}
}

func TestCheckerResultRepeatable(t *testing.T) {
	c := New(Options{})
	events := join(ackDel(0, 0, 0, 0), ackDel(0, 2, 0, 1), ackDel(0, 1, 0, 2), []history.Event{del(0, 0, 0, 5), ack(0, 9, 1, 0)})
	for _, e := range events[:4] {
		if err := c.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	mid := c.Result()
	if mid.Reordered != 0 || mid.Delivered != 2 {
		t.Fatalf("mid-run counts %+v", countsOnly(mid))
	}
	for _, e := range events[4:] {
		if err := c.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	first, second := c.Result(), c.Result()
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("Result changed between calls:\n%+v\n%+v", first, second)
	}
	if first.Reordered != 1 || first.LogDuplicates != 1 || first.Unseen != 1 {
		t.Errorf("counts %+v, want 1 reordered, 1 log duplicate, 1 unseen", countsOnly(first))
	}
}

func TestCheckerSparseAndLargeNumbers(t *testing.T) {
	const far = 1 << 40
	events := join(ackDel(7, far, 0, far), ackDel(7, far+1, 0, far+1), ackDel(4000000000, 0, 2147483647, 0),
		ackDel(7, 3, 0, 1<<62))
	got := countsOnly(check(t, Options{}, events))
	want := Counts{Sent: 4, Acked: 4, Delivered: 4, Reordered: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
}

func TestCheckerRejectsInvalidEvents(t *testing.T) {
	c := New(Options{})
	for _, e := range []history.Event{
		{Type: history.TypeSend, Status: history.StatusOK, Partition: history.NoOffset, Offset: 4},
		{Type: history.TypeDeliver, Partition: history.NoOffset, Offset: 0},
		{Type: "commitment"},
	} {
		if err := c.Add(e); err == nil {
			t.Errorf("Add(%+v) succeeded", e)
		}
	}
	if got := countsOnly(c.Result()); !reflect.DeepEqual(got, Counts{}) {
		t.Errorf("rejected events changed counts: %+v", got)
	}
}

func TestCheckerManyValuesAcrossBlocks(t *testing.T) {
	// Enough values to cross several ordinal blocks and slot pages, with one
	// anomaly of each scan-judged kind planted far from the start.
	const n = 3*blockSize + 17 + pageSize // several blocks and pages
	var events []history.Event
	for p := range uint32(3) {
		for seq := range uint64(n) {
			off := int64(seq)
			events = append(events, ack(p, seq, int32(p), off))
			if !(p == 1 && seq == 2*blockSize+5) {
				events = append(events, del(p, seq, int32(p), off))
			}
		}
	}
	events = append(events, del(2, blockSize+3, 2, n), del(0, n-1, 0, n-1))
	got := countsOnly(check(t, Options{}, events))
	want := Counts{Sent: 3 * n, Acked: 3 * n, Delivered: 3*n + 1, Lost: 1, LogDuplicates: 1, Redeliveries: 1, Duplicated: 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
}
