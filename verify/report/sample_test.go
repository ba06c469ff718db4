package report

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// samplePage returns a page of a made-up 20-second run: steady traffic,
// a leader move and a latency window, a consumer crash, two lost values
// sent during the leader move and 199 more around the crash, every one of
// them marked (a checker reads the same events).
func samplePage() Page {
	b := NewBuilder(Options{})
	c := check.New(check.Options{})
	add := func(e history.Event) {
		if err := c.Add(e); err != nil {
			panic(err)
		}
		b.Add(e)
	}
	b.Watch("lost", sampleLost, []check.Example{{Value: "0/512", Topic: "t", Partition: 2, Offset: 170}, {Value: "0/700", Topic: "t", Partition: 1, Offset: 233}})
	rng := rand.New(rand.NewPCG(1, 2))
	var off [3]int64
	for ms := 0; ms < 20000; ms += 10 {
		p := int32(ms / 10 % 3)
		e := ack(ms, p, off[p])
		e.Seq = uint64(ms / 10)
		e.Latency = time.Duration(2+rng.IntN(8)+boolInt(ms > 6000 && ms < 9000)*40) * time.Millisecond
		add(e)
		if (ms <= 12000 || ms >= 14000) && ms != 5120 && ms != 7000 {
			d := deliver(ms+5, p, off[p])
			d.Seq = e.Seq
			add(d)
		}
		off[p]++
	}
	add(fault(5000, "leader-move", history.PhaseStart))
	add(fault(8000, "leader-move", history.PhaseEnd))
	add(fault(11000, "latency", history.PhaseStart))
	add(fault(15000, "latency", history.PhaseEnd))
	add(fault(12000, "crash-consumer", ""))
	add(history.Event{Type: history.TypeAssign, Time: at(12500), Consumer: "c2", Topic: "t", Partitions: []int32{0, 1, 2}})
	b.Place(c)
	if n := c.Result().Lost; n != sampleLost {
		panic(fmt.Sprintf("sample run: %d lost, want %d", n, sampleLost))
	}
	return Page{
		Title: "kq verify: at-least-once", Verdict: "VIOLATED", Class: "bad", Semantics: "at-least-once",
		Facts:   [][2]string{{"target", "built-in 3-node cluster"}, {"seed", "42"}},
		Command: "kq verify --semantics at-least-once --seed 42",
		Series:  b.Series(),
		Exposure: []check.Exposure{{Fault: "leader-move", Windows: 1, Covered: 1, Traffic: 600, Duration: 3 * time.Second},
			{Fault: "crash-consumer", Crashes: 1, AtRisk: 1}},
		Counts: []CountRow{{Name: "sent", Value: 2000}, {Name: "lost", Value: sampleLost, Rule: "no-loss", Status: "violation"},
			{Name: "redeliveries", Value: 0, Rule: "no-redeliveries", Status: "allowed"}},
		Anomalies: b.Anomalies(),
		Notes:     []string{"a made-up run"},
	}
}

// sampleLost is how many values the sample run loses.
const sampleLost = 201

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
