package check

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Lines of hand-made histories, in the format users write. Times are in
// microseconds: the run's traffic is at ts 1_000_000 to 1_004_000.
const (
	metaALO      = `{"type":"meta","version":2,"semantics":"at-least-once"}`
	metaFaults   = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["leader-move","crash-consumer"]}`
	metaFaults2  = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["leader-move"],"min_windows":2}`
	sendDel0     = `{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0,"ts":1000000}` + "\n" + `{"type":"deliver","producer":0,"seq":0,"topic":"t","partition":0,"offset":0,"ts":1010000}`
	sendDel1     = `{"type":"send","producer":0,"seq":1,"status":"ok","topic":"t","partition":0,"offset":1,"ts":1100000}` + "\n" + `{"type":"deliver","producer":0,"seq":1,"topic":"t","partition":0,"offset":1,"ts":1110000}`
	untimedSend  = `{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}` + "\n" + `{"type":"deliver","producer":0,"seq":0,"topic":"t","partition":0,"offset":0}`
	moveOverTraf = `{"type":"fault","name":"leader-move","phase":"start","target":"t/0","ts":990000}` + "\n" + `{"type":"fault","name":"leader-move","phase":"end","target":"t/0","ts":1020000}`
	moveIdle     = `{"type":"fault","name":"leader-move","phase":"start","target":"t/0","ts":5000000}` + "\n" + `{"type":"fault","name":"leader-move","phase":"end","target":"t/0","ts":6000000}`
	stalledSend  = `{"type":"send","producer":0,"seq":1,"status":"ok","topic":"t","partition":0,"offset":1,"latency_us":4000000,"ts":9000000}` + "\n" + `{"type":"deliver","producer":0,"seq":1,"topic":"t","partition":0,"offset":1,"ts":9010000}`
	moveNoEnd    = `{"type":"fault","name":"leader-move","phase":"start","target":"t/0","ts":999000}`
	crashAtRisk  = `{"type":"fault","name":"crash-consumer","target":"c0/0","at_risk":12,"ts":1002500}`
	crashIdle    = `{"type":"fault","name":"crash-consumer","target":"c0/0","ts":1002500}`
	endComplete  = `{"type":"end","outcome":"complete"}`
	endFailed    = `{"type":"end","outcome":"failed","reason":"the consumers did not catch up within 1m0s"}`
	lostAck      = `{"type":"send","producer":0,"seq":2,"status":"ok","topic":"t","partition":0,"offset":2,"ts":1003500}`
	acks0Lost    = `{"type":"send","producer":0,"seq":2,"status":"ok","topic":"t","partition":0,"ts":1003500}`
	redelivery   = `{"type":"deliver","producer":0,"seq":0,"topic":"t","partition":0,"offset":0,"ts":1004500}`
)

func readLines(t *testing.T, s Semantics, lines ...string) HistoryResult {
	t.Helper()
	res, err := Read(strings.NewReader(strings.Join(lines, "\n")), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestJudgeEvidence plants histories that hold too little evidence, and
// their clean controls.
func TestJudgeEvidence(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lines  []string
		want   Outcome
		reason string // a reason must contain this
	}{
		{"complete, no faults named", []string{metaALO, sendDel0, endComplete}, Held, ""},
		{"empty history", nil, Inconclusive, "no send"},
		{"only a meta line", []string{metaALO, endComplete}, Inconclusive, "no send"},
		{"no end line", []string{metaALO, sendDel0}, Inconclusive, "no end line"},
		{"run failed", []string{metaALO, sendDel0, endFailed}, Inconclusive, "did not complete (failed: the consumers"},
		{"run failed with an undelivered ack: not judged lost", []string{metaALO, sendDel0, lostAck, endFailed}, Inconclusive, "did not complete"},
		{"run failed with a redelivery: violated all the same", []string{`{"type":"meta","semantics":"at-most-once"}`, sendDel0, redelivery, endFailed}, Violated, "did not complete"},
		{"nothing acknowledged", []string{metaALO, `{"type":"send","producer":0,"seq":0,"status":"info"}`, endComplete}, Inconclusive, "no send was acknowledged"},
		{"faults covered", []string{metaFaults, sendDel0, moveOverTraf, crashAtRisk, sendDel1, endComplete}, Held, ""},
		{"faults covered, lines shuffled", []string{endComplete, crashAtRisk, sendDel1, moveOverTraf, sendDel0, metaFaults}, Held, ""},
		{"a named fault never ran", []string{metaFaults, sendDel0, crashAtRisk, sendDel1, endComplete}, Inconclusive, "fault leader-move had 0 full windows"},
		{"a window whose sends were answered after it: covered", []string{metaFaults2, sendDel0, moveIdle, stalledSend, endComplete, moveOverTraf}, Held, ""},
		{"a window over no traffic", []string{metaFaults, sendDel0, moveIdle, crashAtRisk, sendDel1, endComplete}, Inconclusive, "fault leader-move had 0 full windows over traffic (of 1)"},
		{"a window cut short", []string{metaFaults, sendDel0, moveNoEnd, crashAtRisk, sendDel1, endComplete}, Inconclusive, "fault leader-move had 0 full windows"},
		{"a crash with nothing at risk", []string{metaFaults, sendDel0, moveOverTraf, crashIdle, sendDel1, endComplete}, Inconclusive, "crashed 1 clients, 0 of them holding work at risk"},
		{"fewer windows than --min-windows", []string{metaFaults2, sendDel0, moveOverTraf, moveIdle, sendDel1, endComplete}, Inconclusive, "1 full windows over traffic (of 2); 2 needed"},
		{"no times to judge coverage by", []string{metaFaults, untimedSend, endComplete}, Inconclusive, "carry no times"},
		{"an acks=0 success never delivered is lost", []string{metaALO, sendDel0, acks0Lost, endComplete}, Violated, ""},
		{"a lost ack with faults uncovered is violated", []string{metaFaults, sendDel0, lostAck, endComplete}, Violated, "fault leader-move"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := readLines(t, AtLeastOnce, tc.lines...)
			if len(tc.lines) > 0 && strings.Contains(tc.lines[0], "at-most-once") {
				res = readLines(t, "", tc.lines...)
			}
			v := res.Verdict
			if v.Outcome != tc.want || v.Held != (tc.want == Held) {
				t.Fatalf("verdict %s (reasons %q, violations %+v), want %s", v.Outcome, v.Reasons, v.Violations, tc.want)
			}
			if tc.reason == "" && tc.want == Held && len(v.Reasons) > 0 {
				t.Errorf("held with reasons %q", v.Reasons)
			}
			if tc.reason != "" && !slices.ContainsFunc(v.Reasons, func(r string) bool { return strings.Contains(r, tc.reason) }) {
				t.Errorf("reasons %q, want one containing %q", v.Reasons, tc.reason)
			}
		})
	}
}

// TestExposure counts each named fault's windows, traffic and crashes.
func TestExposure(t *testing.T) {
	res := readLines(t, "", metaFaults, sendDel0, moveOverTraf, moveIdle, crashAtRisk, crashIdle, sendDel1, endComplete)
	ev := res.Evidence
	if !ev.Meta || ev.End != "complete" || !ev.Timed || ev.MinWindows != 1 || len(ev.Faults) != 2 {
		t.Fatalf("evidence %+v", ev)
	}
	move, crash := ev.Faults[0], ev.Faults[1]
	// The window over traffic (990 ms to 1020 ms) saw the send at 1000 ms
	// and the delivery at 1010 ms; the idle one saw nothing.
	if move.Fault != "leader-move" || move.Windows != 2 || move.Covered != 1 || move.Traffic != 2 || move.Duration != 1030*time.Millisecond {
		t.Errorf("leader-move exposure %+v", move)
	}
	if crash.Fault != "crash-consumer" || crash.Crashes != 2 || crash.AtRisk != 1 || !crash.Enough(1) || crash.Enough(2) {
		t.Errorf("crash-consumer exposure %+v", crash)
	}
}

// TestTrafficCountsAcrossPages: times spread over several pages, some
// before 1970, visited back and forth (so the page remembered last is
// often not the one wanted), count in the slots they fall in.
func TestTrafficCountsAcrossPages(t *testing.T) {
	var tr traffic
	base := time.Unix(0, 0).Add(-25 * time.Second)
	var ats []time.Time
	for i := range 400 {
		// 0 to about 60 s from base, jumping between pages
		ats = append(ats, base.Add(time.Duration((i*7919)%6000)*10*time.Millisecond+time.Duration(i%7)*time.Millisecond))
	}
	for _, at := range ats {
		tr.add(at)
	}
	if tr.total != uint64(len(ats)) {
		t.Fatalf("total %d, want %d", tr.total, len(ats))
	}
	for _, w := range [][2]time.Duration{{0, 60 * time.Second}, {3 * time.Second, 17 * time.Second}, {24 * time.Second, 26 * time.Second}, {41 * time.Second, 41 * time.Second}} {
		start, end := base.Add(w[0]), base.Add(w[1])
		var want uint64
		for _, at := range ats {
			slot := at.UnixNano() / int64(trafficSlot)
			if slot >= start.UnixNano()/int64(trafficSlot) && slot <= end.UnixNano()/int64(trafficSlot) {
				want++
			}
		}
		if got := tr.between(start, end); got != want {
			t.Errorf("between %v and %v: %d, want %d", w[0], w[1], got, want)
		}
	}
}
