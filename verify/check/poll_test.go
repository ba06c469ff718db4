package check

import (
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// Consumer events at times ms after pt0.
var pt0 = time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)

func pat(ms int) time.Time { return pt0.Add(time.Duration(ms) * time.Millisecond) }

// cdel is a delivery of producer 0's seq off to consumer cons at offset
// off of partition part, at ms.
func cdel(ms int, cons string, part int32, off int64) history.Event {
	e := del(0, uint64(off), part, off)
	e.Consumer, e.Time = cons, pat(ms)
	return e
}

// cack acknowledges producer 0's seq off at offset off of part, at ms.
func cack(ms int, part int32, off int64) history.Event {
	e := ack(0, uint64(off), part, off)
	e.Time = pat(ms)
	return e
}

func assign(ms int, cons string, parts ...int32) history.Event {
	return history.Event{Type: history.TypeAssign, Time: pat(ms), Consumer: cons, Topic: "t", Partitions: parts}
}

func revoke(ms int, cons string, parts ...int32) history.Event {
	return history.Event{Type: history.TypeRevoke, Time: pat(ms), Consumer: cons, Topic: "t", Partitions: parts}
}

func seek(ms int, cons string, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeSeek, Time: pat(ms), Consumer: cons, Topic: "t", Partition: part, Offset: off}
}

func commit(ms int, cons string, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeCommit, Time: pat(ms), Status: history.StatusOK, Consumer: cons, Topic: "t", Partition: part, Offset: off}
}

// acks acknowledges offsets from..to of partition part at time 0.
func acks(part int32, from, to int64) []history.Event {
	var out []history.Event
	for o := from; o <= to; o++ {
		out = append(out, cack(0, part, o))
	}
	return out
}

// dels delivers offsets from..to of part to cons, one millisecond apart
// from ms.
func dels(ms int, cons string, part int32, from, to int64) []history.Event {
	var out []history.Event
	for o := from; o <= to; o++ {
		out = append(out, cdel(ms+int(o-from), cons, part, o))
	}
	return out
}

var runDone = history.Event{Type: history.TypeEnd, Outcome: history.OutcomeComplete}

// pollCounts keeps the poll and commit counts of c.
func pollCounts(c Counts) Counts {
	return Counts{PollSkips: c.PollSkips, NonmonotonicPolls: c.NonmonotonicPolls, CommitAhead: c.CommitAhead,
		FinalCommitMismatch: c.FinalCommitMismatch, OutOfOrder: c.OutOfOrder}
}

func TestPollAndCommitAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []history.Event
		want   Counts
	}{{
		name:   "clean: consecutive deliveries, commits after processing, final commit at position",
		events: join(acks(0, 0, 9), []history.Event{assign(1, "c1", 0)}, dels(10, "c1", 0, 0, 4), []history.Event{commit(20, "c1", 0, 5)}, dels(30, "c1", 0, 5, 9), []history.Event{commit(40, "c1", 0, 10), runDone}),
		want:   Counts{},
	}, {
		name:   "poll skip: a jump over offsets delivered before (a replay read them)",
		events: join(acks(0, 0, 9), dels(5, "c0", 0, 0, 9), dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 7, 9)),
		want:   Counts{PollSkips: 1},
	}, {
		name:   "no skip over offsets only acknowledged (a failover may have cut them: lost, not skipped)",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 7, 9)),
		want:   Counts{},
	}, {
		name: "poll skip: the skipped offset was delivered to another consumer only",
		events: join(dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 5, 6), []history.Event{cdel(30, "c2", 0, 4)},
			[]history.Event{sendStatus(history.StatusInfo, 0, 0)}),
		want: Counts{PollSkips: 1},
	}, {
		name:   "no skip over offsets no event names (markers, compaction, never written)",
		events: join(acks(0, 0, 3), acks(0, 7, 9), dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 7, 9)),
		want:   Counts{},
	}, {
		name:   "no skip over an aborted range, even when acknowledged there",
		events: join(acks(0, 0, 9), []history.Event{abortAt(0, 4, 6)}, dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 7, 9)),
		want:   Counts{},
	}, {
		name:   "no skip across a new assignment",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 3), []history.Event{revoke(15, "c1", 0), assign(16, "c1", 0)}, dels(20, "c1", 0, 7, 9)),
		want:   Counts{},
	}, {
		name:   "no skip across a seek forward; skipping past the sought offset is one",
		events: join(acks(0, 0, 20), dels(5, "c0", 0, 0, 20), dels(10, "c1", 0, 0, 3), []history.Event{seek(15, "c1", 0, 7)}, dels(20, "c1", 0, 7, 9), []history.Event{seek(30, "c1", 0, 12)}, dels(40, "c1", 0, 15, 16)),
		want:   Counts{PollSkips: 1},
	}, {
		name:   "skips are per consumer: two consumers sharing a partition in turns",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 4), dels(20, "c2", 0, 5, 9)),
		want:   Counts{},
	}, {
		name:   "nonmonotonic poll: going back without a seek",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 5), dels(20, "c1", 0, 3, 9)),
		want:   Counts{NonmonotonicPolls: 1},
	}, {
		name:   "nonmonotonic poll: the same offset twice in a row",
		events: join(acks(0, 0, 2), dels(10, "c1", 0, 0, 2), []history.Event{cdel(20, "c1", 0, 2)}),
		want:   Counts{NonmonotonicPolls: 1},
	}, {
		name:   "nonmonotonic poll: before the offset sought",
		events: join(acks(0, 0, 9), []history.Event{seek(5, "c1", 0, 5)}, dels(10, "c1", 0, 3, 9)),
		want:   Counts{NonmonotonicPolls: 1},
	}, {
		name:   "going back after a seek back is fine",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 5), []history.Event{seek(17, "c1", 0, 3)}, dels(20, "c1", 0, 3, 9)),
		want:   Counts{},
	}, {
		name:   "going back after a new assignment is fine",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 5), []history.Event{assign(17, "c1", 0)}, dels(20, "c1", 0, 3, 9)),
		want:   Counts{},
	}, {
		name:   "judged in time order, not line order",
		events: join(acks(0, 0, 9), dels(20, "c1", 0, 5, 9), dels(10, "c1", 0, 0, 4)),
		want:   Counts{},
	}, {
		name:   "commit ahead: past the last delivery",
		events: join(acks(0, 0, 9), []history.Event{assign(1, "c1", 0)}, dels(10, "c1", 0, 0, 4), []history.Event{commit(20, "c1", 0, 8)}),
		want:   Counts{CommitAhead: 1},
	}, {
		name:   "commit ahead: before processing (commit-before), judged at the first delivery",
		events: join(acks(0, 0, 9), []history.Event{assign(1, "c1", 0), commit(5, "c1", 0, 5)}, dels(10, "c1", 0, 0, 4)),
		want:   Counts{CommitAhead: 1},
	}, {
		name:   "commit ahead: past the offset sought, nothing delivered",
		events: join(acks(0, 0, 9), []history.Event{seek(1, "c1", 0, 2), commit(5, "c1", 0, 4)}),
		want:   Counts{CommitAhead: 1},
	}, {
		name:   "not ahead: assigned, committing where it started without delivering",
		events: join(acks(0, 0, 9), []history.Event{assign(1, "c1", 0), commit(5, "c1", 0, 5)}, dels(10, "c1", 0, 5, 9), []history.Event{commit(20, "c1", 0, 10), runDone}),
		want:   Counts{},
	}, {
		name:   "not ahead: committing what the seek said",
		events: join(acks(0, 0, 9), []history.Event{seek(1, "c1", 0, 4), commit(5, "c1", 0, 4)}, dels(10, "c1", 0, 4, 9), []history.Event{commit(20, "c1", 0, 10), runDone}),
		want:   Counts{},
	}, {
		name: "not ahead: a commit of unknown outcome is not judged",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 4), []history.Event{{Type: history.TypeCommit, Time: pat(20), Status: history.StatusInfo,
			Consumer: "c1", Topic: "t", Partition: 0, Offset: 9}}),
		want: Counts{},
	}, {
		name:   "final commit behind the position after a runDone run",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 9), []history.Event{commit(20, "c1", 0, 5), runDone}),
		want:   Counts{FinalCommitMismatch: 1},
	}, {
		name:   "final commit: not judged when the run did not runDone",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 9), []history.Event{commit(20, "c1", 0, 5)}),
		want:   Counts{},
	}, {
		name: "final commit: not judged for a consumer that crashed",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 9), []history.Event{commit(20, "c1", 0, 5),
			{Type: history.TypeFault, Name: "crash-consumer", Target: "c1", Time: pat(30)}, runDone}),
		want: Counts{},
	}, {
		name:   "final commit: the latest commit by time counts",
		events: join(acks(0, 0, 9), dels(10, "c1", 0, 0, 9), []history.Event{commit(30, "c1", 0, 10), commit(20, "c1", 0, 5), runDone}),
		want:   Counts{},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, Options{}, tc.events)
			if !reflect.DeepEqual(pollCounts(got), tc.want) {
				t.Errorf("counts\n got %+v\nwant %+v\nexamples %+v", pollCounts(got), tc.want, got.Examples)
			}
			if n := tally(feed(t, tc.events)); !reflect.DeepEqual(n, anomaliesOnly(got)) {
				t.Errorf("instances\n got %+v\nwant %+v", n, anomaliesOnly(got))
			}
		})
	}
}

// TestPollExamples: examples name the consumer, the place and the value
// skipped.
func TestPollExamples(t *testing.T) {
	got := check(t, Options{}, join(acks(0, 0, 9), dels(5, "c0", 0, 0, 9), dels(10, "c1", 0, 0, 3), dels(20, "c1", 0, 7, 9)))
	ex := got.Examples[AnomalyPollSkip]
	if len(ex) != 1 || ex[0].Consumer != "c1" || ex[0].Offset != 4 || ex[0].Value != "0/4" || ex[0].Partition != 0 {
		t.Fatalf("poll skip examples %+v", ex)
	}
}

// TestPollOutOfOrderBeyondWindow: a delivery that comes after more than
// the reorder window of later ones cannot be judged; it is counted and
// makes the verdict inconclusive rather than inventing a skip.
func TestPollOutOfOrderBeyondWindow(t *testing.T) {
	n := int64(reorderWindow + 10)
	events := join(acks(0, 0, n), dels(100, "c1", 0, 1, n), []history.Event{cdel(1, "c1", 0, 0), runDone})
	got := check(t, Options{}, events)
	if got.OutOfOrder != 1 || got.PollSkips != 0 || got.NonmonotonicPolls != 0 {
		t.Fatalf("counts %+v", pollCounts(got))
	}
	v := Judge(got, AtLeastOnce, Evidence{End: history.OutcomeComplete})
	if v.Outcome != Inconclusive {
		t.Fatalf("verdict %+v", v)
	}
}

// TestPollRulesPerSemantics: which semantics each new count breaks.
func TestPollRulesPerSemantics(t *testing.T) {
	for _, tc := range []struct {
		c    Counts
		rule Rule
		in   []Semantics
	}{
		{Counts{PollSkips: 1}, RulePollsSkipNothing, []Semantics{AtLeastOnce, ExactlyOnce}},
		{Counts{NonmonotonicPolls: 1}, RuleMonotonicPolls, []Semantics{AtMostOnce, ExactlyOnce}},
		{Counts{CommitAhead: 1}, RuleNoCommitAhead, []Semantics{AtLeastOnce, ExactlyOnce}},
		{Counts{FinalCommitMismatch: 1}, RuleFinalCommit, []Semantics{ExactlyOnce}},
	} {
		for _, s := range []Semantics{AtMostOnce, AtLeastOnce, ExactlyOnce} {
			tc.c.Sent, tc.c.Acked = 1, 1
			v := Judge(tc.c, s, Evidence{End: history.OutcomeComplete})
			broken := len(v.Violations) == 1 && v.Violations[0].Rule == tc.rule
			if want := containsSemantics(tc.in, s); broken != want {
				t.Errorf("%s under %s: violations %+v, want broken %v", tc.rule, s, v.Violations, want)
			}
		}
	}
}
