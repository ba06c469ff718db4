package check

import (
	"reflect"
	"testing"

	"github.com/kq-dev/kq/verify/history"
)

// wrote is a txn line: transaction id wrote count records at first..last
// of topic "t", partition part.
func wrote(id string, outcome history.Outcome, part int32, first, last, count int64) history.Event {
	return history.Event{Type: history.TypeTxn, Txn: id, Outcome: outcome, Topic: "t", Partition: part, Offset: first, LastOffset: last, Count: count}
}

// read is a txn line: consumer's transaction id read first..last of
// partition part.
func read(ms int, id, consumer string, part int32, first, last int64) history.Event {
	e := wrote(id, history.OutcomeCommitted, part, first, last, last-first+1)
	e.Consumer, e.Time = consumer, pat(ms)
	return e
}

func TestTornTransactions(t *testing.T) {
	committed, aborted := history.OutcomeCommitted, history.OutcomeAborted
	for _, tc := range []struct {
		name   string
		events []history.Event
		want   Counts
	}{{
		name:   "clean: every record of a committed transaction delivered",
		events: join(infoDels(3), []history.Event{wrote("a", committed, 0, 0, 2, 3)}),
		want:   Counts{Sent: 3, Indeterminate: 3, Delivered: 3},
	}, {
		name:   "torn: a committed transaction partly delivered",
		events: join(infoDels(2), []history.Event{wrote("a", committed, 0, 0, 2, 3)}),
		want:   Counts{Sent: 2, Indeterminate: 2, Delivered: 2, TornTxns: 1},
	}, {
		name:   "torn, the txn line first",
		events: join([]history.Event{wrote("a", committed, 0, 0, 2, 0)}, infoDels(2)),
		want:   Counts{Sent: 2, Indeterminate: 2, Delivered: 2, TornTxns: 1},
	}, {
		name:   "torn across partitions: one partition whole, the other unseen",
		events: join(infoDels(3), []history.Event{wrote("a", committed, 0, 0, 2, 3), wrote("a", committed, 1, 0, 4, 5)}),
		want:   Counts{Sent: 3, Indeterminate: 3, Delivered: 3, TornTxns: 1},
	}, {
		name:   "not torn: nothing of it delivered (that is loss, counted per value)",
		events: []history.Event{wrote("a", committed, 0, 0, 2, 3)},
		want:   Counts{},
	}, {
		name:   "not torn: a marker inside the range (count below the range)",
		events: join(infoDels(2), []history.Event{wrote("a", committed, 0, 0, 2, 2)}),
		want:   Counts{Sent: 2, Indeterminate: 2, Delivered: 2},
	}, {
		name:   "aborted transaction line: an abort",
		events: join(infoDels(3), []history.Event{wrote("b", aborted, 0, 1, 2, 2)}),
		want:   Counts{Sent: 3, Indeterminate: 3, Delivered: 3, AbortedReads: 2},
	}, {
		name:   "a transaction's reads: commit at their end is not ahead",
		events: join(acks(0, 0, 9), []history.Event{read(10, "a", "copier 0", 0, 0, 4), commit(11, "copier 0", 0, 5), read(20, "b", "copier 0", 0, 5, 9), commit(21, "copier 0", 0, 10), runDone}),
		want:   Counts{Sent: 10, Acked: 10, Unseen: 10},
	}, {
		name:   "a transaction's reads: commit past them is ahead",
		events: join(acks(0, 0, 9), []history.Event{read(10, "a", "copier 0", 0, 0, 4), commit(11, "copier 0", 0, 8)}),
		want:   Counts{Sent: 10, Acked: 10, Unseen: 10, CommitAhead: 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := check(t, Options{}, tc.events)
			if !reflect.DeepEqual(countsOnly(got), tc.want) {
				t.Errorf("counts\n got %+v\nwant %+v", countsOnly(got), tc.want)
			}
			if n := tally(feed(t, tc.events)); !reflect.DeepEqual(n, anomaliesOnly(got)) {
				t.Errorf("instances\n got %+v\nwant %+v", n, anomaliesOnly(got))
			}
			if tc.want.TornTxns > 0 {
				ex := got.Examples[AnomalyTornTxn]
				if len(ex) != 1 || ex[0].Topic != "t" || ex[0].Detail == "" {
					t.Errorf("torn example %+v", ex)
				}
			}
		})
	}
}
