package check

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kq-dev/kq/verify/history"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParseSemantics(t *testing.T) {
	for in, want := range map[string]Semantics{
		"at-most-once": AtMostOnce, "at-least-once": AtLeastOnce, "exactly-once": ExactlyOnce, "Exactly-Once": ExactlyOnce,
	} {
		if got, err := ParseSemantics(in); err != nil || got != want {
			t.Errorf("ParseSemantics(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "exactly_once", "once"} {
		if _, err := ParseSemantics(in); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseSemantics(%q): error %v, want a usage error", in, err)
		}
	}
}

// rulesBroken returns the rule names of v's violations.
func rulesBroken(v Verdict) []Rule {
	out := []Rule{}
	for _, x := range v.Violations {
		out = append(out, x.Rule)
	}
	return out
}

// TestJudgePerPreset judges the same counts under the three semantics.
func TestJudgePerPreset(t *testing.T) {
	all := []Semantics{AtMostOnce, AtLeastOnce, ExactlyOnce}
	for _, tc := range []struct {
		name   string
		counts Counts
		want   map[Semantics][]Rule // rules broken per semantics; missing means none
	}{
		{"clean", Counts{Sent: 10, Acked: 10, Delivered: 10}, nil},
		{"lost", Counts{Lost: 2}, map[Semantics][]Rule{AtLeastOnce: {RuleNoLoss}, ExactlyOnce: {RuleNoLoss}}},
		{"log duplicates", Counts{LogDuplicates: 1, Duplicated: 1},
			map[Semantics][]Rule{AtMostOnce: {RuleNoLogDuplicates}, ExactlyOnce: {RuleNoLogDuplicates}}},
		{"redeliveries", Counts{Redeliveries: 3, Duplicated: 3},
			map[Semantics][]Rule{AtMostOnce: {RuleNoRedeliveries}, ExactlyOnce: {RuleNoRedeliveries}}},
		{"aborted reads", Counts{AbortedReads: 1},
			map[Semantics][]Rule{AtMostOnce: {RuleNoAbortedReads}, ExactlyOnce: {RuleNoAbortedReads}}},
		{"reordered", Counts{Reordered: 4}, map[Semantics][]Rule{ExactlyOnce: {RuleOrderKept}}},
		{"offset conflicts", Counts{OffsetConflicts: 1}, allOf(all, RuleNoOffsetConflict)},
		{"corrupt", Counts{Corrupt: 1}, allOf(all, RuleNoCorrupt)},
		{"unknown values", Counts{Unknown: 1}, allOf(all, RuleNoUnknown)},
		{"fail delivered", Counts{FailDelivered: 1}, allOf(all, RuleNoFailDelivered)},
		{"unsent", Counts{Unsent: 1}, allOf(all, RuleNoUnsent)},
		{"indeterminate and failed sends alone", Counts{Sent: 3, Failed: 1, Indeterminate: 2}, nil},
		{"lost and duplicated", Counts{Lost: 1, LogDuplicates: 1, Redeliveries: 1, Duplicated: 2},
			map[Semantics][]Rule{
				AtMostOnce:  {RuleNoLogDuplicates, RuleNoRedeliveries},
				AtLeastOnce: {RuleNoLoss},
				ExactlyOnce: {RuleNoLoss, RuleNoLogDuplicates, RuleNoRedeliveries},
			}},
	} {
		for _, s := range all {
			v := Judge(tc.counts, s, complete)
			want := tc.want[s]
			if want == nil {
				want = []Rule{}
			}
			if got := rulesBroken(v); !reflect.DeepEqual(got, want) {
				t.Errorf("%s under %s: broken %v, want %v", tc.name, s, got, want)
			}
			outcome := Held
			switch {
			case len(want) > 0:
				outcome = Violated
			case tc.counts.Sent == 0, tc.counts.Acked == 0 && s != AtMostOnce:
				outcome = Inconclusive // nothing acknowledged: loss cannot be judged
			}
			if v.Outcome != outcome || v.Held != (outcome == Held) || v.Semantics != s {
				t.Errorf("%s under %s: verdict %+v", tc.name, s, v)
			}
			for _, x := range v.Violations {
				if x.Count == 0 || x.Detail == "" {
					t.Errorf("%s under %s: violation %+v lacks count or detail", tc.name, s, x)
				}
			}
		}
	}
}

// complete is the evidence of a complete run without named faults.
var complete = Evidence{End: history.OutcomeComplete, MinWindows: 1}

func allOf(all []Semantics, r Rule) map[Semantics][]Rule {
	m := map[Semantics][]Rule{}
	for _, s := range all {
		m[s] = []Rule{r}
	}
	return m
}

// TestCleanHistoriesPerPreset checks histories that each preset allows.
func TestCleanHistoriesPerPreset(t *testing.T) {
	// At-most-once: a value lost, nothing duplicated.
	amo := join(ackDel(0, 0, 0, 0), []history.Event{ack(0, 1, 0, 1)}, ackDel(0, 2, 0, 2))
	// At-least-once: everything delivered, some twice, one reordered.
	alo := join(ackDel(0, 0, 0, 0), ackDel(0, 2, 0, 1), ackDel(0, 1, 0, 2),
		[]history.Event{del(0, 0, 0, 0), del(0, 1, 0, 3), sendStatus(history.StatusInfo, 0, 3), del(0, 3, 0, 4)})
	// Exactly-once: a transactional copy with an aborted attempt not read.
	eos := []history.Event{inTopic("in", ack(0, 0, 0, 0)), inTopic("in", ack(0, 1, 0, 1)),
		abortAt(0, 0, 1), del(0, 0, 0, 2), del(0, 1, 0, 3)}
	for _, tc := range []struct {
		name   string
		events []history.Event
		held   map[Semantics]bool
	}{
		{"at-most-once history", amo, map[Semantics]bool{AtMostOnce: true}},
		{"at-least-once history", alo, map[Semantics]bool{AtLeastOnce: true}},
		{"exactly-once history", eos, map[Semantics]bool{AtMostOnce: true, AtLeastOnce: true, ExactlyOnce: true}},
	} {
		c := check(t, Options{}, tc.events)
		for _, s := range []Semantics{AtMostOnce, AtLeastOnce, ExactlyOnce} {
			v := Judge(c, s, complete)
			if v.Held != tc.held[s] {
				t.Errorf("%s under %s: held %v, want %v (counts %+v, violations %+v)",
					tc.name, s, v.Held, tc.held[s], countsOnly(c), v.Violations)
			}
		}
	}
}

func TestRules(t *testing.T) {
	shared := []Rule{RuleNoOffsetConflict, RuleNoCorrupt, RuleNoUnknown, RuleNoFailDelivered, RuleNoUnsent}
	for s, rs := range map[Semantics][2][]Rule{
		AtMostOnce:  {{RuleNoLogDuplicates, RuleNoRedeliveries, RuleNoAbortedReads}, {RuleMonotonicPolls}},
		AtLeastOnce: {{RuleNoLoss, RuleNoUnseen}, {RulePollsSkipNothing, RuleNoCommitAhead}},
		ExactlyOnce: {{RuleNoLoss, RuleNoUnseen, RuleNoLogDuplicates, RuleNoRedeliveries, RuleNoAbortedReads, RuleOrderKept},
			{RulePollsSkipNothing, RuleMonotonicPolls, RuleNoCommitAhead, RuleFinalCommit, RuleNoTornTxns}},
		"bogus": {},
	} {
		want := append(append(append([]Rule{}, rs[0]...), shared...), rs[1]...)
		if got := Rules(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Rules(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestVerdictErr(t *testing.T) {
	held := Judge(Counts{Sent: 1, Acked: 1, Delivered: 1}, ExactlyOnce, complete)
	if err := held.Err(); err != nil {
		t.Errorf("held verdict: Err() = %v", err)
	}
	err := Judge(Counts{Lost: 3, Unknown: 1}, ExactlyOnce, complete).Err()
	if !errors.Is(err, kqerr.ErrCheckFailed) || kqerr.Code(err) != kqerr.CodeCheckFailed {
		t.Fatalf("violated verdict: Err() = %v, want check failed (exit 3)", err)
	}
	for _, part := range []string{"exactly-once", "no-loss (3)", "no-unknown-values (1)"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
}
