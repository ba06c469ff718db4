package cmd

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/report"
)

// VerifyCheckOptions are the options of `kq verify check`.
type VerifyCheckOptions struct {
	f *Factory
	// Files are the histories to check together (globs expanded): one
	// run's, or the histories of its workers.
	Files []string
	// Semantics to judge by; "" uses the history's meta line.
	Semantics string
	// Examples is the number of examples shown per anomaly.
	Examples int
	// Lenient ignores keys the history format does not define.
	Lenient bool
	// Output is table or json.
	Output string
	// Report is the HTML report to write.
	Report string
	// command is the command line, for the report.
	command string
}

// NewCmdVerifyCheck returns `kq verify check`.
func NewCmdVerifyCheck(f *Factory, runF func(*VerifyCheckOptions) error) *cobra.Command {
	opts := &VerifyCheckOptions{f: f}
	c := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check a recorded history (JSON lines) against a delivery guarantee",
		Long: `Reads a history written by kq verify --history, or by your own application
in the same format (see the README: one JSON object per line, "send",
"deliver", "abort", "fault", "assign", "revoke", "seek", "commit",
"txn", an optional "meta" first line and an "end" last line), counts its
anomalies and judges them: lost, unseen, aborted, duplicated, reordered,
aborted reads, offset conflicts, corrupt and foreign values, poll skips,
nonmonotonic polls, commits ahead, final commits off the position, torn
transactions, and the realtime lag (acknowledgement to first delivery).
The consumer checks go by each event's "ts" (lines without one in file
order). Without --semantics the history's meta line names the semantics. A history that does not end with a complete "end"
line, holds no send, or whose meta line names faults that did not get
their windows over traffic is INCONCLUSIVE.

Several files (or globs, expanded here when the shell did not) are the
histories of the workers of one run (kq verify --worker I/N): they are
merged in time order, streamed, and judged as one. They must be exactly
the run's N histories (one run id, one worker count, each worker once):
otherwise the verdict is INCONCLUSIVE, naming what is wrong. Exit status:
0 held, 3 violated, 5 inconclusive, 2 malformed history.`,
		Example: `  kq verify --history run.jsonl && kq verify check run.jsonl
  kq verify check app-history.jsonl --semantics at-least-once -o json
  kq verify check app-history.jsonl --report app.html    # the history as charts, in one HTML file
  kq verify check 'nightly-w*.jsonl'                     # the workers of one run, merged`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			files, err := expandHistories(args)
			if err != nil {
				return err
			}
			opts.Files = files
			opts.command = commandLine(c, args)
			if runF != nil {
				return runF(opts)
			}
			return verifyCheckRun(opts)
		},
	}
	c.Flags().StringVar(&opts.Semantics, "semantics", "", "at-most-once, at-least-once or exactly-once (default: the history's meta line)")
	c.Flags().BoolVar(&opts.Lenient, "lenient", false, "ignore keys the history format does not define (default: a typo such as last_ofset, a key in the wrong case or twice is an error naming the line)")
	c.Flags().IntVar(&opts.Examples, "examples", check.DefaultMaxExamples, "examples kept per anomaly")
	c.Flags().StringVar(&opts.Report, "report", "", reportFlagUsage)
	addOutputFlag(c, &opts.Output)
	return c
}

func verifyCheckRun(o *VerifyCheckOptions) error {
	p, err := o.f.Printer(o.Output)
	if err != nil {
		return err
	}
	if err := reportDirExists(o.Report); err != nil {
		return err
	}
	n := o.Examples
	if n == 0 {
		n = -1
	}
	res, err := check.Files(o.Files, check.Semantics(o.Semantics), check.Options{MaxExamples: n, Lenient: o.Lenient})
	if err != nil {
		return withoutUsage(err)
	}
	var workers []check.WorkerRate
	if res.Run != nil {
		workers = res.Workers
	}
	if p.Format == output.JSON || o.Report != "" {
		series, anomalies, err := report.ReadFiles(o.Files, report.Options{Lenient: o.Lenient}, reportWatch(res.Counts), res.Checker)
		if err != nil {
			return withoutUsage(err)
		}
		if o.Report != "" {
			if err := o.writeCheckReport(res, series, anomalies, workers, o.command); err != nil {
				return err
			}
		}
		if p.Format == output.JSON {
			if err := p.JSON(checkJSON{res, series, workers}); err != nil {
				return err
			}
			return res.Verdict.Err()
		}
	}
	if err := renderCounts(p, res.Counts, res.Verdict.Semantics); err != nil {
		return err
	}
	if err := renderWorkers(p, workers); err != nil {
		return err
	}
	if err := renderExposure(p, res.Evidence); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	renderVerdict(p, res.Verdict, res.Counts, "")
	return res.Verdict.Err()
}

// checkJSON is the JSON of kq verify check: the result, the series and,
// for the histories of a run's workers, each one's share.
type checkJSON struct {
	check.HistoryResult
	Series  report.Series      `json:"series"`
	Workers []check.WorkerRate `json:"workers,omitempty"`
}

// MarshalJSON writes the result as [check.HistoryResult] does (the
// verdict's fields at the top level) plus the series.
func (c checkJSON) MarshalJSON() ([]byte, error) {
	type plain check.HistoryResult
	return output.MarshalJSON(struct {
		plain
		check.Verdict
		Series  report.Series      `json:"series"`
		Workers []check.WorkerRate `json:"workers,omitempty"`
	}{plain(c.HistoryResult), c.Verdict, c.Series, c.Workers})
}

// countRow is one line of the counts table: a count, and for an anomaly
// its key (the checker's rule table says which rule judges it).
type countRow struct {
	name    string
	count   uint64
	anomaly check.Anomaly
}

func countRows(c check.Counts) []countRow {
	return []countRow{
		{"sent", c.Sent, ""},
		{"acked", c.Acked, ""},
		{"failed", c.Failed, ""},
		{"indeterminate", c.Indeterminate, ""},
		{"delivered", c.Delivered, ""},
		{"lost", c.Lost, check.AnomalyLost},
		{"unseen", c.Unseen, check.AnomalyUnseen},
		{"aborted (not lost)", c.Aborted, check.AnomalyAborted},
		{"log duplicates", c.LogDuplicates, check.AnomalyLogDuplicate},
		{"redeliveries", c.Redeliveries, check.AnomalyRedelivery},
		{"reordered", c.Reordered, check.AnomalyReordered},
		{"aborted reads", c.AbortedReads, check.AnomalyAbortedRead},
		{"offset conflicts", c.OffsetConflicts, check.AnomalyOffsetConflict},
		{"corrupt", c.Corrupt, check.AnomalyCorrupt},
		{"unknown", c.Unknown, check.AnomalyUnknown},
		{"failed, yet delivered", c.FailDelivered, check.AnomalyFailDelivered},
		{"delivered, never sent", c.Unsent, check.AnomalyUnsentDelivered},
		{"poll skips", c.PollSkips, check.AnomalyPollSkip},
		{"nonmonotonic polls", c.NonmonotonicPolls, check.AnomalyNonmonotonicPoll},
		{"commits ahead", c.CommitAhead, check.AnomalyCommitAhead},
		{"final commit mismatch", c.FinalCommitMismatch, check.AnomalyFinalCommit},
		{"torn transactions", c.TornTxns, check.AnomalyTornTxn},
	}
}

// shownExamples bounds the examples printed per violation in a table.
const shownExamples = 3

// renderCounts prints the counts with, for each anomaly, whether the
// semantics forbids it.
func renderCounts(p *output.Printer, c check.Counts, s check.Semantics) error {
	rules := check.Rules(s)
	var rows [][]string
	for _, r := range countRows(c) {
		n, status := strconv.FormatUint(r.count, 10), r.status(rules)
		judged := status
		switch status {
		case statusAllowed:
			judged = p.Faint(status)
		case statusViolation:
			n, judged = p.Bad(n), p.Bad(status)
		case statusOK:
			judged = p.Good(status)
		}
		rows = append(rows, []string{r.name, n, judged})
	}
	if err := p.Table([]string{"count", "value", "status"}, rows); err != nil {
		return err
	}
	return renderRealtimeLag(p, c.RealtimeLag)
}

// renderRealtimeLag prints the realtime lag, acknowledgement to first
// delivery of a sample of the values, overall and for those acknowledged
// during each fault, when the history had the times to measure it.
func renderRealtimeLag(p *output.Printer, l check.Lag) error {
	if l.Samples == 0 {
		return nil
	}
	fmt.Fprintln(p.IO.Out)
	row := func(name string, s check.LagStats) []string {
		return []string{name, strconv.FormatUint(s.Samples, 10), roundLag(s.P50), roundLag(s.P99), roundLag(s.Max)}
	}
	rows := [][]string{row("all", l.LagStats)}
	for _, f := range l.Faults {
		rows = append(rows, row("during "+f.Fault, f.LagStats))
	}
	return p.Table([]string{"realtime lag", "sampled", "median", "percentile 99", "max"}, rows)
}

// roundLag words a lag to the millisecond, or to the microsecond when
// under 10ms.
func roundLag(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// Statuses of a count: a plain count has none.
const (
	statusOK        = "ok"
	statusViolation = "violation"
	statusAllowed   = "allowed"
)

// status says whether the count breaks one of rules: "" for a plain count,
// statusAllowed when its rule is not among rules, else statusViolation or
// statusOK.
func (r countRow) status(rules []check.Rule) string {
	rule := check.RuleOf(r.anomaly)
	switch {
	case rule == "":
		return ""
	case !slices.Contains(rules, rule):
		return statusAllowed
	case r.count > 0:
		return statusViolation
	}
	return statusOK
}

// renderVerdict prints the verdict line, the broken rules with a few
// examples each, and the reasons the evidence falls short. partial, when
// not empty, says why the run has no verdict.
func renderVerdict(p *output.Printer, v check.Verdict, c check.Counts, partial string) {
	out := p.IO.Out
	switch {
	case partial != "":
		fmt.Fprintf(out, "verdict: %s\n", p.Warn("none: "+partial+"; the counts are partial"))
		return
	case v.Outcome == check.Held:
		fmt.Fprintf(out, "verdict: %s %s\n", v.Semantics, p.Good("HELD"))
	case v.Outcome == check.Violated:
		fmt.Fprintf(out, "verdict: %s %s\n", v.Semantics, p.Bad("VIOLATED"))
	default:
		fmt.Fprintf(out, "verdict: %s %s\n", v.Semantics, p.Warn("INCONCLUSIVE"))
	}
	for _, x := range v.Violations {
		fmt.Fprintf(out, "  %s: %d %s\n", p.Bad(string(x.Rule)), x.Count, x.Detail)
		for _, e := range firstN(c.Examples[x.Rule.Anomaly()], shownExamples) {
			fmt.Fprintf(out, "    %s\n", exampleText(e))
		}
	}
	for _, r := range v.Reasons {
		fmt.Fprintf(out, "  %s %s\n", p.Warn("not shown:"), r)
	}
}

// renderExposure prints each named fault's exposure, if the history names
// faults.
func renderExposure(p *output.Printer, ev check.Evidence) error {
	if len(ev.Faults) == 0 {
		return nil
	}
	fmt.Fprintln(p.IO.Out)
	var rows [][]string
	for _, x := range ev.Faults {
		status := p.Good("covered")
		if !x.Enough(ev.MinWindows) {
			status = p.Warn("not covered")
		}
		windows := fmt.Sprintf("%d of %d", x.Covered, x.Windows)
		if check.IsCrash(x.Fault) {
			windows = fmt.Sprintf("%d crashes, %d at risk", x.Crashes, x.AtRisk)
		}
		rows = append(rows, []string{x.Fault, windows, strconv.FormatUint(x.Traffic, 10), x.Duration.Round(time.Millisecond).String(), status})
	}
	return p.Table([]string{"fault", "windows over traffic", "traffic", "time", "exposure"}, rows)
}

func firstN[T any](s []T, n int) []T { return s[:min(n, len(s))] }

func exampleText(e check.Example) string {
	s := e.Value
	if s == "" {
		s = "(no kq value)"
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at %s/%d@%d", e.Topic, e.Partition, e.Offset)
	}
	if e.Consumer != "" && e.Detail == "" {
		s += " by " + e.Consumer
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}
