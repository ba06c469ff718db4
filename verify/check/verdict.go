package check

import (
	"fmt"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/verify/history"
)

// Semantics is a delivery guarantee a system claims to provide.
type Semantics string

// The semantics presets.
const (
	// AtMostOnce must not duplicate (neither kind), show aborted data or
	// hold two values at one offset; it may lose acknowledged values.
	AtMostOnce Semantics = "at-most-once"
	// AtLeastOnce must not lose an acknowledged value; it may duplicate and
	// reorder.
	AtLeastOnce Semantics = "at-least-once"
	// ExactlyOnce must not lose, duplicate, show aborted data or reorder a
	// producer's values within a partition.
	ExactlyOnce Semantics = "exactly-once"
)

// ParseSemantics returns the Semantics named by s (any case). An unknown
// name is a usage error.
func ParseSemantics(s string) (Semantics, error) {
	switch sem := Semantics(strings.ToLower(s)); sem {
	case AtMostOnce, AtLeastOnce, ExactlyOnce:
		return sem, nil
	}
	return "", kqerr.Usagef("unknown semantics %q (want at-most-once, at-least-once or exactly-once)", s)
}

// Rule names a property a history must have.
type Rule string

// The rules. Those marked "every preset" hold whatever the semantics: they
// mean the log or the client misbehaved, or the history is not the whole
// story.
const (
	RuleNoLoss           Rule = "no-loss"             // at-least-once, exactly-once
	RuleNoUnseen         Rule = "no-unseen"           // at-least-once, exactly-once
	RuleNoLogDuplicates  Rule = "no-log-duplicates"   // at-most-once, exactly-once
	RuleNoRedeliveries   Rule = "no-redeliveries"     // at-most-once, exactly-once
	RuleNoAbortedReads   Rule = "no-aborted-reads"    // at-most-once, exactly-once
	RuleOrderKept        Rule = "order-kept"          // exactly-once
	RuleNoOffsetConflict Rule = "no-offset-conflicts" // every preset
	RuleNoCorrupt        Rule = "no-corrupt-values"   // every preset
	// RuleNoUnknown: every delivered value was written by kq. A value that
	// is not a kq value means something else wrote to the topic, which
	// makes every other count unreliable.
	RuleNoUnknown       Rule = "no-unknown-values"         // every preset
	RuleNoFailDelivered Rule = "no-failed-sends-delivered" // every preset
	RuleNoUnsent        Rule = "no-unsent-values"          // every preset
	// RulePollsSkipNothing: a consumer reads every visible record between
	// two of its deliveries in a partition, unless its assignment changed
	// or it sought.
	RulePollsSkipNothing Rule = "no-poll-skips" // at-least-once, exactly-once
	// RuleMonotonicPolls: a consumer's deliveries in a partition go
	// forward, unless its assignment changed or it sought.
	RuleMonotonicPolls Rule = "monotonic-polls" // at-most-once, exactly-once
	// RuleNoCommitAhead: a consumer commits no offset past what it
	// processed (committing before processing is at-most-once's way).
	RuleNoCommitAhead Rule = "no-commit-ahead" // at-least-once, exactly-once
	// RuleFinalCommit: after a complete run, a consumer that did not crash
	// last committed its position.
	RuleFinalCommit Rule = "final-commit-at-position" // exactly-once
	// RuleNoTornTxns: a committed transaction is visible whole or not at
	// all.
	RuleNoTornTxns Rule = "no-torn-transactions" // exactly-once
)

// rule is one row of the rule table.
type rule struct {
	name   Rule
	count  func(Counts) uint64
	only   []Semantics // nil: every preset
	detail string
}

// rules returns the rule table.
func rules() []rule {
	amo, eos := AtMostOnce, ExactlyOnce
	return []rule{
		{RuleNoLoss, func(c Counts) uint64 { return c.Lost }, []Semantics{AtLeastOnce, eos},
			"acknowledged values never delivered, although later offsets of their partitions were"},
		{RuleNoUnseen, func(c Counts) uint64 { return c.Unseen }, []Semantics{AtLeastOnce, eos},
			"acknowledged values never delivered, with nothing after them in their partitions read"},
		{RuleNoLogDuplicates, func(c Counts) uint64 { return c.LogDuplicates }, []Semantics{amo, eos},
			"extra copies of values in the log"},
		{RuleNoRedeliveries, func(c Counts) uint64 { return c.Redeliveries }, []Semantics{amo, eos},
			"offsets delivered more than once"},
		{RuleNoAbortedReads, func(c Counts) uint64 { return c.AbortedReads }, []Semantics{amo, eos},
			"delivered offsets written by aborted transactions"},
		{RuleOrderKept, func(c Counts) uint64 { return c.Reordered }, []Semantics{eos},
			"values behind a later value of their producer in a partition"},
		{RuleNoOffsetConflict, func(c Counts) uint64 { return c.OffsetConflicts }, nil,
			"offsets seen holding two different values"},
		{RuleNoCorrupt, func(c Counts) uint64 { return c.Corrupt }, nil,
			"delivered values that failed their checksum"},
		{RuleNoUnknown, func(c Counts) uint64 { return c.Unknown }, nil,
			"delivered values kq did not write: something else wrote to the topic"},
		{RuleNoFailDelivered, func(c Counts) uint64 { return c.FailDelivered }, nil,
			"values delivered although every send of them was reported failed"},
		{RuleNoUnsent, func(c Counts) uint64 { return c.Unsent }, nil,
			"values delivered that no recorded send wrote"},
		{RulePollsSkipNothing, func(c Counts) uint64 { return c.PollSkips }, []Semantics{AtLeastOnce, eos},
			"jumps of a consumer over visible records, with no assignment change or seek"},
		{RuleMonotonicPolls, func(c Counts) uint64 { return c.NonmonotonicPolls }, []Semantics{amo, eos},
			"deliveries going back in a partition, with no assignment change or seek"},
		{RuleNoCommitAhead, func(c Counts) uint64 { return c.CommitAhead }, []Semantics{AtLeastOnce, eos},
			"commits of offsets past what the consumer had processed"},
		{RuleFinalCommit, func(c Counts) uint64 { return c.FinalCommitMismatch }, []Semantics{eos},
			"consumers whose last commit after a complete run was not their position"},
		{RuleNoTornTxns, func(c Counts) uint64 { return c.TornTxns }, []Semantics{eos},
			"committed transactions only partly delivered"},
	}
}

func (r rule) applies(s Semantics) bool {
	return r.only == nil || containsSemantics(r.only, s)
}

func containsSemantics(list []Semantics, s Semantics) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Rules returns the rules s must hold, in the order [Judge] checks them. An
// unknown s gets the rules every preset shares.
func Rules(s Semantics) []Rule {
	var out []Rule
	for _, r := range rules() {
		if r.applies(s) {
			out = append(out, r.name)
		}
	}
	return out
}

// Outcome is a verdict: held, violated or inconclusive.
type Outcome string

// Verdict outcomes.
const (
	// Held means the history shows the semantics held, with the evidence
	// to say so: a complete run, every named fault met over traffic.
	Held Outcome = "held"
	// Violated means a rule of the semantics was broken.
	Violated Outcome = "violated"
	// Inconclusive means no rule was seen broken, but the history holds
	// too little evidence to say the semantics held.
	Inconclusive Outcome = "inconclusive"
)

// Verdict says whether a history held its semantics.
type Verdict struct {
	Semantics Semantics `json:"semantics"`
	// Outcome is the verdict (the "verdict" key in JSON).
	Outcome Outcome `json:"verdict,omitempty"`
	// Held is true when Outcome is Held.
	Held bool `json:"held"`
	// Violations lists the broken rules, in rule order.
	Violations []Violation `json:"violations"`
	// Reasons say why the evidence falls short: the verdict is
	// inconclusive when there are reasons and no violations.
	Reasons []string `json:"reasons"`
}

// Violation is one broken rule.
type Violation struct {
	Rule Rule `json:"rule"`
	// Count is how many times it was broken (the anomaly's count).
	Count uint64 `json:"count"`
	// Detail says what was counted.
	Detail string `json:"detail"`
}

// Judge returns the verdict on c under s with the evidence ev: every rule
// of [Rules](s) whose count is not zero is a violation, except loss on a
// history that is not complete (values not yet delivered are not lost);
// without violations, any gap in the evidence makes it inconclusive (see
// [Gaps]).
func Judge(c Counts, s Semantics, ev Evidence) Verdict {
	v := Verdict{Semantics: s, Violations: []Violation{}, Reasons: Gaps(c, s, ev)}
	for _, r := range rules() {
		if (r.name == RuleNoLoss || r.name == RuleNoUnseen) && ev.End != history.OutcomeComplete {
			continue
		}
		if n := r.count(c); n > 0 && r.applies(s) {
			v.Violations = append(v.Violations, Violation{Rule: r.name, Count: n, Detail: r.detail})
		}
	}
	switch {
	case len(v.Violations) > 0:
		v.Outcome = Violated
	case len(v.Reasons) > 0:
		v.Outcome = Inconclusive
	default:
		v.Outcome = Held
	}
	v.Held = v.Outcome == Held
	return v
}

// Gaps lists why a history with counts c and evidence ev cannot show s
// held: it did not end complete, it has nothing to judge, or a fault its
// meta line names did not get enough windows over traffic (or, for a
// client crash, enough crashes with work at risk).
func Gaps(c Counts, s Semantics, ev Evidence) []string {
	gaps := []string{}
	switch ev.End {
	case history.OutcomeComplete:
	case "":
		gaps = append(gaps, `the history has no end line, so it may be partial (a complete one ends with {"type":"end","outcome":"complete"})`)
	default:
		gaps = append(gaps, fmt.Sprintf("the run did not complete (%s: %s)", ev.End, ev.EndReason))
	}
	switch {
	case c.Sent == 0:
		gaps = append(gaps, "the history holds no send: nothing to judge")
	case c.Acked == 0 && containsSemantics([]Semantics{AtLeastOnce, ExactlyOnce}, s):
		gaps = append(gaps, "no send was acknowledged: loss cannot be judged")
	}
	if c.OutOfOrder > 0 {
		gaps = append(gaps, fmt.Sprintf("%d consumer events came after later events of their consumer and partition had been judged (more than %d events or %s out of time order): the poll and commit checks skipped them", c.OutOfOrder, reorderWindow, reorderHorizon))
	}
	if len(ev.Faults) > 0 && !ev.Timed {
		return append(gaps, "the sends and deliveries carry no times: fault coverage cannot be judged")
	}
	for _, x := range ev.Faults {
		if !x.Enough(ev.MinWindows) {
			gaps = append(gaps, x.gap(ev.MinWindows))
		}
	}
	if g := ev.Tails.gap(); g != "" && judgesLoss(s) {
		gaps = append(gaps, g)
	}
	return gaps
}

// judgesLoss reports whether s holds that nothing acknowledged is lost.
func judgesLoss(s Semantics) bool {
	for _, r := range rules() {
		if r.name == RuleNoLoss {
			return r.applies(s)
		}
	}
	return false
}

// Err returns nil when v held, an error naming the broken rules that
// matches [kqerr.ErrCheckFailed] when it was violated, and one giving the
// reasons that matches [kqerr.ErrInconclusive] when it was inconclusive.
func (v Verdict) Err() error {
	switch v.Outcome {
	case Held:
		return nil
	case Inconclusive:
		return fmt.Errorf("%w: %s could not be judged: %s", kqerr.ErrInconclusive, v.Semantics, strings.Join(v.Reasons, "; "))
	}
	parts := make([]string, len(v.Violations))
	for i, x := range v.Violations {
		parts[i] = fmt.Sprintf("%s (%d)", x.Rule, x.Count)
	}
	return fmt.Errorf("%w: %s did not hold: %s", kqerr.ErrCheckFailed, v.Semantics, strings.Join(parts, ", "))
}
