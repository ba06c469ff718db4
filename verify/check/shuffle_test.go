package check

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// randomHistory builds a history of the workload's shape with anomalies of
// every kind sprinkled in: lost, unseen and acks=0 values, retried writes
// (log duplicates), redeliveries, reordering, aborted ranges read and not
// read, failed and indeterminate sends, corrupt and unknown records at
// offsets of their own, corrupt copies at acknowledged offsets, fault
// windows and crashes, offset conflicts with redeliveries of both values,
// values acknowledged in aborted transactions, and the consumer events of
// the poll and commit checks (skips, commits ahead, seeks), all timed.
func randomHistory(rng *rand.Rand) []history.Event {
	t0 := time.Unix(1000, 0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 7 * time.Millisecond) }
	events := []history.Event{
		{Type: history.TypeMeta, Semantics: "at-least-once", Faults: []string{"leader-move", "crash-consumer"}},
		{Type: history.TypeEnd, Outcome: history.OutcomeComplete},
		{Type: history.TypeFault, Name: "leader-move", Phase: history.PhaseStart, Target: "t/0", Time: at(10)},
		{Type: history.TypeFault, Name: "leader-move", Phase: history.PhaseEnd, Target: "t/0", Time: at(100)},
		{Type: history.TypeFault, Name: "leader-move", Phase: history.PhaseStart, Target: "t/0", Time: at(300)},
		{Type: history.TypeFault, Name: "crash-consumer", Target: "c0/0", AtRisk: int64(rng.IntN(3)), Time: at(50)},
	}
	next := make([]int64, 4)
	for i := range 400 {
		p, seq := uint32(i%3), uint64(i/3)
		part := int32(rng.IntN(len(next)))
		off := next[part]
		next[part]++
		send := ack(p, seq, part, off)
		send.Time = at(i)
		d := del(p, seq, part, off)
		d.Time = at(i + 1)
		switch r := rng.IntN(40); {
		case r == 0: // lost or unseen: never delivered
			events = append(events, send)
		case r == 1: // acks=0: acknowledged at no offset
			send.Offset = history.NoOffset
			events = append(events, send)
			if rng.IntN(2) == 0 {
				events = append(events, d)
			}
		case r == 2: // a retried write: the value again, later in the log
			dup := next[part]
			next[part]++
			events = append(events, send, d, del(p, seq, part, dup))
		case r == 3: // a redelivery
			events = append(events, send, d, d)
		case r == 4: // failed or indeterminate, delivered or not
			st := []history.Status{history.StatusFail, history.StatusInfo}[rng.IntN(2)]
			events = append(events, sendStatus(st, p, seq))
			if rng.IntN(2) == 0 {
				events = append(events, d)
			}
		case r == 5: // an aborted range, read or not
			events = append(events, sendStatus(history.StatusInfo, p, seq), abortAt(part, off, off))
			if rng.IntN(2) == 0 {
				events = append(events, d)
			}
		case r == 6: // a corrupt copy at the acknowledged offset
			events = append(events, send, bad(history.ValueCorrupt, part, off))
		case r == 7: // a record kq did not write, at an offset of its own
			events = append(events, send, d, bad(history.ValueUnknown, part, next[part]))
			next[part]++
		case r == 8: // a poll skip: delivered to another consumer only
			d.Consumer = "other"
			events = append(events, send, d)
		case r == 9: // a commit ahead of the delivery
			events = append(events, send, d, pcommit(at(i+1).Add(time.Microsecond), part, off+3))
		case r == 10: // a seek back and a redelivery: no nonmonotonic poll
			sk := history.Event{Type: history.TypeSeek, Consumer: pconsumer(part), Topic: "t", Partition: part, Offset: off, Time: at(i + 1).Add(time.Microsecond)}
			again := d
			again.Time = at(i + 1).Add(2 * time.Microsecond)
			events = append(events, send, d, sk, again)
		case r == 11: // an offset conflict: another value delivered at the offset, twice; the acked one once
			other := del(9, uint64(i), part, off)
			other.Time = at(i + 1).Add(time.Microsecond)
			again := other
			again.Time = at(i + 1).Add(2 * time.Microsecond)
			events = append(events, send, sendStatus(history.StatusInfo, 9, uint64(i)), other, d, again)
		case r == 12: // acknowledged in an aborted transaction, never delivered
			events = append(events, send, abortAt(part, off, off))
		case r == 13: // a corrupt copy, the good record, and the good one again
			c := bad(history.ValueCorrupt, part, off)
			c.Time = at(i + 1).Add(time.Microsecond)
			again := d
			again.Time = at(i + 1).Add(2 * time.Microsecond)
			events = append(events, send, c, d, again)
		case r == 14: // a torn transaction: it wrote two records, one delivered
			events = append(events, send, d, wrote(fmt.Sprintf("x%d", i), history.OutcomeCommitted, part, off, off, 2))
		case r == 15: // a whole one
			events = append(events, send, d, wrote(fmt.Sprintf("x%d", i), history.OutcomeCommitted, part, off, off, 1))
		case r < 20: // a commit after processing
			events = append(events, send, d, pcommit(at(i+1).Add(time.Microsecond), part, off+1))
		default:
			events = append(events, send, d)
		}
	}
	// Reordering: swap the offsets of two consecutive values of a producer.
	a, b := ack(0, 1000, 0, next[0]+1), ack(0, 1001, 0, next[0])
	events = append(events, a, b, del(0, 1000, 0, next[0]+1), del(0, 1001, 0, next[0]))
	for p := range int32(len(next)) {
		events = append(events, history.Event{Type: history.TypeAssign, Consumer: pconsumer(p), Topic: "t", Partitions: []int32{p}, Time: at(-1)})
	}
	// Every delivery goes to its partition's consumer, at a time of its own
	// when it has none: the poll checks go by time, not by line.
	k := 0
	for i := range events {
		if e := &events[i]; e.Type == history.TypeDeliver {
			if e.Consumer == "" {
				e.Consumer = pconsumer(e.Partition)
			}
			if e.Time.IsZero() {
				e.Time = at(500 + k)
				k++
			}
		}
	}
	return events
}

// pconsumer names the consumer of a partition in randomHistory.
func pconsumer(part int32) string { return fmt.Sprintf("c%d", part%2) }

func pcommit(t time.Time, part int32, off int64) history.Event {
	return history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: pconsumer(part), Topic: "t", Partition: part, Offset: off, Time: t}
}

// resultOf checks events in the order given.
func resultOf(t *testing.T, events []history.Event) (Counts, Evidence, Verdict) {
	t.Helper()
	c := New(Options{MaxExamples: -1})
	for _, e := range events {
		if err := c.Add(e); err != nil {
			t.Fatalf("Add(%+v): %v", e, err)
		}
	}
	counts, ev := c.Result(), c.Evidence()
	return counts, ev, Judge(counts, AtLeastOnce, ev)
}

// TestShuffledLinesSameCounts is the property that counts, evidence and
// verdict do not depend on the order of a history's lines.
func TestShuffledLinesSameCounts(t *testing.T) {
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 7))
		events := randomHistory(rng)
		want, wantEv, wantV := resultOf(t, events)
		if want.Lost+want.Unseen == 0 || want.LogDuplicates == 0 || want.Redeliveries == 0 || want.Reordered == 0 ||
			want.PollSkips == 0 || want.NonmonotonicPolls == 0 || want.CommitAhead == 0 ||
			want.OffsetConflicts == 0 || want.Aborted == 0 || want.Corrupt == 0 || want.RealtimeLag.Samples == 0 ||
			len(want.RealtimeLag.Faults) == 0 || want.TornTxns == 0 {
			t.Fatalf("seed %d: the random history plants too little: %+v", seed, countsOnly(want))
		}
		for round := range 5 {
			shuffled := append([]history.Event(nil), events...)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			got, gotEv, gotV := resultOf(t, shuffled)
			if !reflect.DeepEqual(countsOnly(got), countsOnly(want)) || !reflect.DeepEqual(gotEv, wantEv) || !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("seed %d, shuffle %d:\n got %+v\n%+v\n%+v\nwant %+v\n%+v\n%+v", seed, round,
					countsOnly(got), gotEv, gotV, countsOnly(want), wantEv, wantV)
			}
		}
	}
}
