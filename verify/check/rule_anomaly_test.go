package check

import "testing"

// TestEveryRuleJudgesOneAnomaly: each rule of the table judges an anomaly
// of its own, and the anomaly leads back to the rule.
func TestEveryRuleJudgesOneAnomaly(t *testing.T) {
	seen := map[Anomaly]Rule{}
	for _, r := range rules() {
		a := r.name.Anomaly()
		if a == "" {
			t.Errorf("rule %s judges no anomaly", r.name)
			continue
		}
		if other, ok := seen[a]; ok {
			t.Errorf("rules %s and %s both judge %s", other, r.name, a)
		}
		seen[a] = r.name
		if RuleOf(a) != r.name {
			t.Errorf("RuleOf(%s) = %s, want %s", a, RuleOf(a), r.name)
		}
	}
	if RuleOf(AnomalyAborted) != "" || Rule("nope").Anomaly() != "" {
		t.Errorf("aborted is judged by %q, an unknown rule judges %q", RuleOf(AnomalyAborted), Rule("nope").Anomaly())
	}
}
