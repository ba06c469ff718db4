package check

import (
	"strings"
	"testing"
)

// Hand-made histories of runs on the built-in broker's replication model:
// a kill-node window over traffic whose end counts the tails it cut.
const (
	metaAcks1Kill   = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["kill-node"],"settings":{"acks":"1","replica_lag":"20ms"}}`
	metaAcks1NoLag  = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["kill-node"],"settings":{"acks":"1"}}`
	metaAcks1Lag0   = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["kill-node"],"settings":{"acks":"1","replica_lag":"0s"}}`
	metaAcks1Crash  = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["crash-consumer"],"settings":{"acks":"1","replica_lag":"20ms"}}`
	metaAcksAllKill = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["kill-node"],"settings":{"acks":"all","replica_lag":"20ms"}}`
	metaAcksAllISR  = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["isr-shrink"],"settings":{"acks":"all","replica_lag":"20ms"}}`
	metaAcksAllISR2 = `{"type":"meta","version":2,"semantics":"at-least-once","faults":["isr-shrink"],"settings":{"acks":"all","replica_lag":"20ms","topic_config":"cleanup.policy=delete,min.insync.replicas=2"}}`
	metaAMOKill     = `{"type":"meta","version":2,"semantics":"at-most-once","faults":["kill-node"],"settings":{"acks":"1","replica_lag":"20ms"}}`
	killNoCut       = `{"type":"fault","name":"kill-node","phase":"start","target":"1","ts":990000}` + "\n" + `{"type":"fault","name":"kill-node","phase":"end","target":"1","ts":1020000}`
	killCut2        = `{"type":"fault","name":"kill-node","phase":"start","target":"1","ts":990000}` + "\n" + `{"type":"fault","name":"kill-node","phase":"end","target":"1","at_risk":2,"ts":1020000}`
	shrinkNoCut     = `{"type":"fault","name":"isr-shrink","phase":"start","ts":990000}` + "\n" + `{"type":"fault","name":"isr-shrink","phase":"end","ts":1020000}`
	shrinkCut1      = `{"type":"fault","name":"isr-shrink","phase":"start","ts":990000}` + "\n" + `{"type":"fault","name":"isr-shrink","phase":"end","at_risk":1,"ts":1020000}`
)

// TestTailRisk: a run whose risk is a failover cutting an unreplicated
// tail holds only when a failover cut one; otherwise it is inconclusive,
// with a plain sentence. Runs without that risk are not touched.
func TestTailRisk(t *testing.T) {
	const acks1Gap = "no failover found an unreplicated acks=1 tail; the built-in broker could not show the risk of acks=1 in this run"
	const acksAllGap = "no failover during isr-shrink found an unreplicated tail the leader alone had acknowledged"
	for _, tc := range []struct {
		name   string
		lines  []string
		want   Outcome
		reason string
		cut    int64 // Evidence.Tails.Cut; -1: no Tails
	}{
		{"acks=1, kill-node cut nothing", []string{metaAcks1Kill, sendDel0, killNoCut, sendDel1, endComplete}, Inconclusive, acks1Gap, 0},
		{"acks=1, kill-node cut two tails", []string{metaAcks1Kill, sendDel0, killCut2, sendDel1, endComplete}, Held, "", 2},
		{"acks=1, no replication model named", []string{metaAcks1NoLag, sendDel0, killNoCut, sendDel1, endComplete}, Held, "", -1},
		{"acks=1, replica lag 0", []string{metaAcks1Lag0, sendDel0, killNoCut, sendDel1, endComplete}, Held, "", -1},
		{"acks=1, no failover fault", []string{metaAcks1Crash, sendDel0, crashAtRisk, sendDel1, endComplete}, Held, "", -1},
		{"acks=all, kill-node: no tail risk", []string{metaAcksAllKill, sendDel0, killNoCut, sendDel1, endComplete}, Held, "", -1},
		{"acks=all, isr-shrink cut nothing", []string{metaAcksAllISR, sendDel0, shrinkNoCut, sendDel1, endComplete}, Inconclusive, acksAllGap, 0},
		{"acks=all, isr-shrink cut a tail", []string{metaAcksAllISR, sendDel0, shrinkCut1, sendDel1, endComplete}, Held, "", 1},
		{"acks=all, min.insync.replicas=2: no tail risk", []string{metaAcksAllISR2, sendDel0, shrinkNoCut, sendDel1, endComplete}, Held, "", -1},
		{"at-most-once allows loss", []string{metaAMOKill, sendDel0, killNoCut, sendDel1, endComplete}, Held, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := readLines(t, "", tc.lines...)
			v := res.Verdict
			if v.Outcome != tc.want {
				t.Fatalf("verdict %s (reasons %q), want %s", v.Outcome, v.Reasons, tc.want)
			}
			if tc.reason != "" && !strings.Contains(strings.Join(v.Reasons, "\n"), tc.reason) {
				t.Errorf("reasons %q, want one containing %q", v.Reasons, tc.reason)
			}
			if tc.want == Held && len(v.Reasons) > 0 {
				t.Errorf("held with reasons %q", v.Reasons)
			}
			switch tails := res.Evidence.Tails; {
			case tc.cut < 0 && tails != nil:
				t.Errorf("tail risk %+v, want none", tails)
			case tc.cut >= 0 && (tails == nil || tails.Cut != tc.cut):
				t.Errorf("tail risk %+v, want %d cut", tails, tc.cut)
			}
		})
	}
}

func TestMinInsync(t *testing.T) {
	for in, want := range map[string]int{"": 1, "min.insync.replicas=2": 2, "a=b, min.insync.replicas = 3": 3, "min.insync.replicas=x": 1} {
		if got := minInsync(in); got != want {
			t.Errorf("minInsync(%q) = %d, want %d", in, got, want)
		}
	}
}
