package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// On the built-in broker's replication model, the risk of acks=1 (and of
// acks=all while the ISR is the leader alone) is a leader change cutting
// off a tail its followers did not have. A run that names failover faults
// but in which no failover found such a tail shows nothing about that
// risk, so it must not hold. The history says so: its meta line's
// settings name the model's replica lag ("replica_lag") and the run's
// acks and topic configs, and the end line of each broker fault window
// counts, in at_risk, the tails the window's leader changes cut that
// held acknowledged writes.

// TailRisk is what a run showed of the risk a failover's cut tail poses
// to acknowledged writes.
type TailRisk struct {
	// Risk names the setting at risk: "acks=1", "acks=0", or
	// "acks=all with the ISR shrunk to the leader".
	Risk string `json:"risk"`
	// Cut counts the tails failovers cut that held acknowledged
	// writes.
	Cut int64 `json:"cut"`
}

// failoverFaults are the fault kinds that change partition leaders on
// the built-in broker.
var failoverFaults = []string{"kill-node", "leader-move", "isr-shrink"}

// tailRisk returns the run's tail risk, or nil when it has none to show:
// no replication model, acks=all without isr-shrink or with
// min.insync.replicas above 1, or no failover fault named.
func tailRisk(settings map[string]string, named []string) *TailRisk {
	if lag, err := time.ParseDuration(settings["replica_lag"]); err != nil || lag <= 0 {
		return nil
	}
	if !slices.ContainsFunc(named, func(f string) bool { return slices.Contains(failoverFaults, f) }) {
		return nil
	}
	switch acks := settings["acks"]; acks {
	case "0", "1":
		return &TailRisk{Risk: "acks=" + acks}
	case "all", "-1":
		if slices.Contains(named, "isr-shrink") && minInsync(settings["topic_config"]) <= 1 {
			return &TailRisk{Risk: "acks=all with the ISR shrunk to the leader"}
		}
	}
	return nil
}

// minInsync reads min.insync.replicas from a topic_config setting
// ("k=v,k=v"); 1, Kafka's default, when it is not set.
func minInsync(configs string) int {
	for _, kv := range strings.Split(configs, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.TrimSpace(k) == "min.insync.replicas" {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n
			}
		}
	}
	return 1
}

// gap says why a run with no tail cut cannot show the risk, for a reason
// line; "" when a tail was cut.
func (t *TailRisk) gap() string {
	switch {
	case t == nil || t.Cut > 0:
		return ""
	case strings.HasPrefix(t.Risk, "acks=all"):
		return "no failover during isr-shrink found an unreplicated tail the leader alone had acknowledged; the built-in broker could not show the risk of acks=all with min.insync.replicas=1 in this run"
	}
	return fmt.Sprintf("no failover found an unreplicated %s tail; the built-in broker could not show the risk of %s in this run", t.Risk, t.Risk)
}
