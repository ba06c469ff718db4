package check

import (
	"io"

	"github.com/kq-dev/kq/internal/output"

	"github.com/kq-dev/kq/verify/history"

	"github.com/kq-dev/kq/internal/kqerr"
)

// HistoryResult is the outcome of checking a recorded history.
type HistoryResult struct {
	// Meta is the history's first meta event, or nil when it has none.
	Meta *history.Event `json:"meta,omitempty"`
	// Counts and Evidence are what the checker found; Verdict judges them.
	// In JSON the verdict's fields stand at the top level: "verdict" is
	// "held", "violated" or "inconclusive", with "violations" and "reasons".
	Counts   Counts   `json:"counts"`
	Evidence Evidence `json:"evidence"`
	Verdict  Verdict  `json:"-"`
	// Faults are the history's fault events, in order, for the timeline.
	Faults []history.Event `json:"faults,omitempty"`
	// Run, for the histories of a run's workers checked together (or one
	// worker's alone), says whether they make the whole run.
	Run *RunSet `json:"run,omitempty"`
	// Workers are each history's share (one per file, in the order
	// given), counted in the same pass.
	Workers []WorkerRate `json:"-"`
	// Checker is the checker that counted, to go through every anomaly
	// (see [Checker.EachAnomaly]); nil in a result read back from JSON.
	Checker *Checker `json:"-"`
}

// MarshalJSON puts the verdict's fields at the top level.
func (r HistoryResult) MarshalJSON() ([]byte, error) {
	type plain HistoryResult
	return output.MarshalJSON(struct {
		plain
		Verdict
	}{plain(r), r.Verdict})
}

// File checks the history in the file at path; see [Read]. A worker's
// history alone is one of several (see [Files]): INCONCLUSIVE.
func File(path string, s Semantics, opts Options) (HistoryResult, error) {
	return Files([]string{path}, s, opts)
}

// Read reads a history from r, checks it and judges it under s, or,
// when s is empty, under the semantics its meta event names (a usage error
// if it names none; an unknown s is one too). A violated verdict is not an error: see
// [Verdict.Err]. Errors are those of [history.Read].
func Read(r io.Reader, s Semantics, opts Options) (HistoryResult, error) {
	if s != "" {
		var err error
		if s, err = ParseSemantics(string(s)); err != nil {
			return HistoryResult{}, err
		}
	}
	var res HistoryResult
	c := New(opts)
	err := history.ReadWith(r, history.ReadOptions{Lenient: opts.Lenient}, func(e history.Event) error {
		switch e.Type {
		case history.TypeMeta:
			if e.Semantics != "" {
				sem, err := ParseSemantics(e.Semantics)
				if err != nil {
					return err
				}
				e.Semantics = string(sem)
			}
			if res.Meta == nil {
				res.Meta = &e
			}
		case history.TypeFault:
			res.Faults = append(res.Faults, e)
		}
		return c.Add(e)
	})
	if err != nil {
		return HistoryResult{}, err
	}
	return res.judged(c, s)
}

// judged completes res with c's counts and evidence and the verdict by s,
// or by the semantics the history names when s is empty; the verdict is
// INCONCLUSIVE when res.Run is not one run's histories.
func (res HistoryResult) judged(c *Checker, s Semantics) (HistoryResult, error) {
	if s == "" && res.Meta != nil {
		s = Semantics(res.Meta.Semantics)
	}
	if s == "" {
		return HistoryResult{}, kqerr.Usagef("no semantics to judge by: none given and the history names none")
	}
	res.Counts, res.Evidence, res.Checker = c.Result(), c.Evidence(), c
	res.Verdict = judgeSet(Judge(res.Counts, s, res.Evidence), res.Run)
	return res, nil
}
