package check

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// timedAckDel acknowledges producer 0's seq at offset seq at ackMS and
// delivers it at delMS (milliseconds after pt0).
func timedAckDel(seq uint64, ackMS, delMS int) []history.Event {
	a, d := ack(0, seq, 0, int64(seq)), del(0, seq, 0, int64(seq))
	a.Time, d.Time = pat(ackMS), pat(delMS)
	return []history.Event{a, d}
}

func TestRealtimeLag(t *testing.T) {
	events := join(
		timedAckDel(0, 0, 10),      // 10ms
		timedAckDel(16, 100, 120),  // 20ms
		timedAckDel(32, 500, 1500), // 1s, inside the fault window
		timedAckDel(1, 0, 60_000),  // not sampled
		[]history.Event{
			{Type: history.TypeFault, Name: "leader-move", Phase: history.PhaseStart, Target: "t/0", Time: pat(400)},
			{Type: history.TypeFault, Name: "leader-move", Phase: history.PhaseEnd, Target: "t/0", Time: pat(600)},
			{Type: history.TypeFault, Name: "drop-response", Phase: history.PhaseStart, Time: pat(5000)},
			{Type: history.TypeFault, Name: "drop-response", Phase: history.PhaseEnd, Time: pat(6000)},
		},
		// A second, later ack: the earliest counts.
		timedAckDel(16, 110, 115)[:1],
	)
	got := check(t, Options{}, events).RealtimeLag
	if got.Samples != 3 {
		t.Fatalf("samples %d, want 3: %+v", got.Samples, got)
	}
	near := func(d, want time.Duration) bool { return d >= want*98/100 && d <= want*102/100 }
	if !near(got.P50, 20*time.Millisecond) || !near(got.Max, time.Second) || !near(got.P99, time.Second) {
		t.Errorf("lag %+v, want p50 20ms, p99 and max 1s", got.LagStats)
	}
	if len(got.Faults) != 1 || got.Faults[0].Fault != "leader-move" || got.Faults[0].Samples != 1 || !near(got.Faults[0].Max, time.Second) {
		t.Errorf("per fault %+v, want leader-move alone with the 1s lag", got.Faults)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"samples":3`, `"p50_ms":`, `"max_ms":`, `"faults":[{"fault":"leader-move","samples":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

func TestRealtimeLagNeedsTimes(t *testing.T) {
	got := check(t, Options{}, join(ackDel(0, 0, 0, 0), ackDel(0, 16, 0, 1))).RealtimeLag
	if got.Samples != 0 {
		t.Fatalf("untimed history measured a lag: %+v", got)
	}
}
