package check

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/history"
)

// tally counts a checker's instances by anomaly, as Counts does.
func tally(c *Checker) Counts {
	var n Counts
	c.EachAnomaly(func(in Instance) {
		switch in.Anomaly {
		case AnomalyLost:
			n.Lost++
		case AnomalyUnseen:
			n.Unseen++
		case AnomalyLogDuplicate:
			n.LogDuplicates++
		case AnomalyRedelivery:
			n.Redeliveries++
		case AnomalyOffsetConflict:
			n.OffsetConflicts++
		case AnomalyReordered:
			n.Reordered++
		case AnomalyAbortedRead:
			n.AbortedReads++
		case AnomalyCorrupt:
			n.Corrupt++
		case AnomalyUnknown:
			n.Unknown++
		case AnomalyFailDelivered:
			n.FailDelivered++
		case AnomalyUnsentDelivered:
			n.Unsent++
		case AnomalyAborted:
			n.Aborted++
		case AnomalyPollSkip:
			n.PollSkips++
		case AnomalyNonmonotonicPoll:
			n.NonmonotonicPolls++
		case AnomalyCommitAhead:
			n.CommitAhead++
		case AnomalyFinalCommit:
			n.FinalCommitMismatch++
		case AnomalyTornTxn:
			n.TornTxns++
		default:
			panic("tally: unknown anomaly " + in.Anomaly)
		}
	})
	return n
}

// anomaliesOnly keeps the anomaly counts of c.
func anomaliesOnly(c Counts) Counts {
	return Counts{Lost: c.Lost, Unseen: c.Unseen, LogDuplicates: c.LogDuplicates, Redeliveries: c.Redeliveries,
		OffsetConflicts: c.OffsetConflicts, Reordered: c.Reordered, AbortedReads: c.AbortedReads, Corrupt: c.Corrupt,
		Unknown: c.Unknown, FailDelivered: c.FailDelivered, Unsent: c.Unsent, Aborted: c.Aborted, PollSkips: c.PollSkips,
		NonmonotonicPolls: c.NonmonotonicPolls, CommitAhead: c.CommitAhead, FinalCommitMismatch: c.FinalCommitMismatch,
		TornTxns: c.TornTxns}
}

func feed(t *testing.T, events []history.Event) *Checker {
	t.Helper()
	c := New(Options{MaxExamples: 1})
	for _, e := range events {
		if err := c.Add(e); err != nil {
			t.Fatalf("Add(%+v): %v", e, err)
		}
	}
	return c
}

// Every count has exactly as many instances, on random histories with
// every anomaly planted (a few examples kept: the instances are not
// bounded by them).
func TestEachAnomalyMatchesCounts(t *testing.T) {
	for seed := range uint64(20) {
		c := feed(t, randomHistory(rand.New(rand.NewPCG(seed, 3))))
		want, got := anomaliesOnly(c.Result()), tally(c)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: instances\n got %+v\nwant %+v", seed, got, want)
		}
		if want.Lost+want.Redeliveries+want.LogDuplicates < 3 || want.PollSkips == 0 || want.NonmonotonicPolls == 0 ||
			want.CommitAhead == 0 || want.TornTxns == 0 || want.Aborted == 0 {
			t.Fatalf("seed %d: too few anomalies planted to judge: %+v", seed, want)
		}
	}
}

// Instances name their value and place: a lost value at the offset it was
// acknowledged, a redelivery at its offset with its value, a corrupt
// record with no value, and an acks=0 value lost nowhere.
func TestEachAnomalyPlaces(t *testing.T) {
	c := feed(t, join(ackDel(0, 0, 1, 0), []history.Event{ack(0, 1, 1, 1)}, ackDel(0, 2, 1, 2),
		[]history.Event{del(0, 2, 1, 2), del(0, 2, 1, 2), bad(history.ValueCorrupt, 2, 7),
			{Type: history.TypeSend, Producer: 4, Seq: 9, Status: history.StatusOK, Topic: "t", Partition: 0, Offset: history.NoOffset}}))
	var got []Instance
	c.EachAnomaly(func(in Instance) { got = append(got, in) })
	v := func(p uint32, s uint64) seqmsg.Value { return seqmsg.Value{Producer: p, Seq: s} }
	want := []Instance{
		{Anomaly: AnomalyRedelivery, Value: v(0, 2), Named: true, Topic: "t", Partition: 1, Offset: 2},
		{Anomaly: AnomalyRedelivery, Value: v(0, 2), Named: true, Topic: "t", Partition: 1, Offset: 2},
		{Anomaly: AnomalyCorrupt, Topic: "t", Partition: 2, Offset: 7},
		{Anomaly: AnomalyLost, Value: v(0, 1), Named: true, Topic: "t", Partition: 1, Offset: 1},
		{Anomaly: AnomalyLost, Value: v(4, 9), Named: true, Partition: history.NoOffset, Offset: history.NoOffset},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("instances\n got %+v\nwant %+v", got, want)
	}
}

// Past maxEventSpans runs, instances keep their partition and lose their
// offset, and the count still holds.
func TestEachAnomalyOverflowKeepsCount(t *testing.T) {
	var events []history.Event
	for i := range maxEventSpans + 10 {
		off := int64(2 * i) // every other offset: no run grows
		events = append(events, ackDel(0, uint64(i), 0, off)...)
		events = append(events, del(0, uint64(i), 0, off))
	}
	c := feed(t, events)
	var placed, unplaced uint64
	c.EachAnomaly(func(in Instance) {
		if in.Anomaly != AnomalyRedelivery || in.Partition != 0 {
			t.Fatalf("instance %+v", in)
		}
		if in.Offset == history.NoOffset {
			unplaced++
		} else {
			placed++
		}
	})
	if placed != maxEventSpans || unplaced != 10 {
		t.Fatalf("placed %d unplaced %d, want %d and 10", placed, unplaced, maxEventSpans)
	}
}

// Poll and commit anomalies judged while events are added (pushed out of
// a cursor's window) have their instances too.
func TestEachAnomalyPollJudgedOnArrival(t *testing.T) {
	n := int64(reorderWindow * 2)
	events := join(acks(0, 0, n), dels(10, "c1", 0, 0, 9), []history.Event{cdel(20, "c1", 0, 5), commit(21, "c1", 0, 50)},
		dels(30, "c1", 0, 6, n), []history.Event{commit(5000, "c1", 0, n+1)})
	c := feed(t, events)
	want, got := anomaliesOnly(c.Result()), tally(c)
	if want.NonmonotonicPolls != 1 || want.CommitAhead != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("instances\n got %+v\nwant %+v", got, want)
	}
	var at []int64
	c.EachAnomaly(func(in Instance) {
		if in.Anomaly == AnomalyCommitAhead || in.Anomaly == AnomalyNonmonotonicPoll {
			at = append(at, in.Offset)
		}
	})
	if !reflect.DeepEqual(at, []int64{5, 50}) {
		t.Errorf("instances at %v, want the nonmonotonic poll at 5 and the commit at 50", at)
	}
}
