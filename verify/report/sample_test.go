package report

import (
	"math/rand/v2"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// samplePage returns a page of a made-up 20-second run: steady traffic,
// a leader move and a latency window, a consumer crash, and two lost
// values sent during the leader move.
func samplePage() Page {
	b := NewBuilder(Options{})
	b.Watch("lost", 2, []check.Example{{Value: "0/512", Topic: "t", Partition: 2, Offset: 170}, {Value: "0/700", Topic: "t", Partition: 1, Offset: 233}})
	rng := rand.New(rand.NewPCG(1, 2))
	var off [3]int64
	for ms := 0; ms < 20000; ms += 10 {
		p := int32(ms / 10 % 3)
		e := ack(ms, p, off[p])
		e.Seq = uint64(ms / 10)
		e.Latency = time.Duration(2+rng.IntN(8)+boolInt(ms > 6000 && ms < 9000)*40) * time.Millisecond
		b.Add(e)
		if (ms < 12000 || ms > 14000) && ms != 5120 && ms != 7000 {
			b.Add(deliver(ms+5, p, off[p]))
		}
		off[p]++
	}
	b.Add(fault(5000, "leader-move", history.PhaseStart))
	b.Add(fault(8000, "leader-move", history.PhaseEnd))
	b.Add(fault(11000, "latency", history.PhaseStart))
	b.Add(fault(15000, "latency", history.PhaseEnd))
	b.Add(fault(12000, "crash-consumer", ""))
	b.Add(history.Event{Type: history.TypeAssign, Time: at(12500), Consumer: "c2", Topic: "t", Partitions: []int32{0, 1, 2}})
	return Page{
		Title: "kq verify: at-least-once", Verdict: "VIOLATED", Class: "bad", Semantics: "at-least-once",
		Facts:   [][2]string{{"target", "built-in 3-node cluster"}, {"seed", "42"}},
		Command: "kq verify --semantics at-least-once --seed 42",
		Series:  b.Series(),
		Exposure: []check.Exposure{{Fault: "leader-move", Windows: 1, Covered: 1, Traffic: 600, Duration: 3 * time.Second},
			{Fault: "crash-consumer", Crashes: 1, AtRisk: 1}},
		Counts: []CountRow{{Name: "sent", Value: 2000}, {Name: "lost", Value: 2, Rule: "no-loss", Status: "violation"},
			{Name: "redeliveries", Value: 0, Rule: "no-redeliveries", Status: "allowed"}},
		Anomalies: b.Anomalies(),
		Notes:     []string{"a made-up run"},
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
