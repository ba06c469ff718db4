package verify

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify/history"
)

// TestAckedOffsetsFindsAcknowledgedOffsetsInARange checks anyIn against a
// plain set over random acknowledgements and ranges (word boundaries
// included), and that only acknowledged sends of the input count.
func TestAckedOffsetsFindsAcknowledgedOffsetsInARange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := newAckedOffsets("in")
	set := map[int64]bool{}
	for range 300 {
		off := rng.Int64N(2000)
		set[off] = true
		e := history.NewSend(0, uint64(off), history.StatusOK, "")
		e.Topic, e.Partition, e.Offset = "in", 1, off
		if err := a.Feed(&e); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []history.Event{
		{Type: history.TypeSend, Status: history.StatusInfo, Topic: "in", Partition: 2, Offset: 5},
		{Type: history.TypeSend, Status: history.StatusOK, Topic: "out", Partition: 2, Offset: 6},
		{Type: history.TypeSend, Status: history.StatusOK, Topic: "in", Partition: 2, Offset: history.NoOffset},
		{Type: history.TypeDeliver, Topic: "in", Partition: 2, Offset: 7},
	} {
		if err := a.Feed(&e); err != nil {
			t.Fatal(err)
		}
	}
	if a.anyIn(2, 0, 100) {
		t.Error("partition 2 holds an acknowledged offset: only acknowledged sends of the input at a known offset count")
	}
	for range 5000 {
		from := rng.Int64N(2100) - 50
		to := from + rng.Int64N(200)
		want := false
		for off := from; off < to; off++ {
			want = want || set[off]
		}
		if got := a.anyIn(1, from, to); got != want {
			t.Fatalf("anyIn(1, %d, %d) = %v, want %v", from, to, got, want)
		}
	}
}

// cutter is a built-in broker that only reports tail cuts.
type cutter struct {
	chaos.BrokerTarget
	cuts []broker.TailCut
}

func (c cutter) TailCuts() []broker.TailCut { return slices.Clone(c.cuts) }

// TestTailCutsCountOnlyTailsHoldingAcknowledgedWrites: a tail of the
// input counts only when a send was acknowledged at one of its offsets
// (acks=1 or all); with acks=0 (offsets unknown) every tail counts, as do
// tails of other topics.
func TestTailCutsCountOnlyTailsHoldingAcknowledgedWrites(t *testing.T) {
	at := time.Unix(100, 0)
	cuts := []broker.TailCut{
		{At: at, Topic: "in", Partition: 0, From: 10, To: 20, Records: 10},  // holds acked offset 15
		{At: at, Topic: "in", Partition: 0, From: 30, To: 40, Records: 10},  // acked 15 and 45 only
		{At: at, Topic: "in", Partition: 1, From: 10, To: 20, Records: 10},  // nothing acked there
		{At: at, Topic: "out", Partition: 0, From: 30, To: 40, Records: 10}, // another topic
	}
	for _, tc := range []struct {
		acks setting.Acks
		want []int
	}{
		{setting.AcksLeader, []int{0, 3}},
		{setting.AcksNone, []int{0, 1, 2, 3}},
	} {
		r := &run{opts: Options{Broker: cutter{cuts: cuts}}}
		r.ids.input = "in"
		r.set.Acks = tc.acks
		r.set.Faults.Faults = []chaos.Fault{{Kind: chaos.LeaderMove}}
		ss := sinks{}
		if r.watchesTails() {
			r.acked = newAckedOffsets(r.ids.input)
			ss = append(ss, r.acked)
		}
		r.rec = history.NewRecorder(nil, ss)
		for _, off := range []int64{15, 45} {
			e := history.NewSend(0, uint64(off), history.StatusOK, "")
			e.Topic, e.Partition, e.Offset = "in", 0, off
			r.record(e)
		}
		got := r.tailCuts()
		if len(got) != len(tc.want) {
			t.Fatalf("acks %v: %d tails count, want %d: %+v", tc.acks, len(got), len(tc.want), got)
		}
		for i, w := range tc.want {
			if got[i] != cuts[w] {
				t.Errorf("acks %v: tail %d is %+v, want %+v", tc.acks, i, got[i], cuts[w])
			}
		}
	}
}
