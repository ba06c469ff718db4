package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/report"
)

// reportFlagUsage is the help of --report on verify and verify check.
const reportFlagUsage = "write a self-contained HTML report (charts of the run, fault windows, counts, examples) to FILE"

// reportWatch lists the anomalies found, in the counts table's order, with
// the checker's examples, for the report to place and list.
func reportWatch(c check.Counts) []report.Watch {
	var ws []report.Watch
	for _, r := range countRows(c) {
		if r.anomaly != "" && r.count > 0 {
			ws = append(ws, report.Watch{Anomaly: r.anomaly, Count: r.count, Examples: c.Examples[r.anomaly]})
		}
	}
	return ws
}

// reportCounts is the counts table of the report, as in the terminal.
func reportCounts(c check.Counts, s check.Semantics) []report.CountRow {
	rules := check.Rules(s)
	var rows []report.CountRow
	for _, r := range countRows(c) {
		rows = append(rows, report.CountRow{Name: r.name, Value: r.count, Rule: string(check.RuleOf(r.anomaly)), Status: r.status(rules)})
	}
	return rows
}

// verdictWord is the verdict's word and colour class on the page; partial
// (see partialReason) says why there is none.
func verdictWord(v check.Verdict, partial string) (string, string) {
	switch {
	case partial != "":
		return "NO VERDICT: " + partial, "warn"
	case v.Outcome == check.Held:
		return "HELD", "good"
	case v.Outcome == check.Violated:
		return "VIOLATED", "bad"
	}
	return "INCONCLUSIVE", "warn"
}

// writeRunReport writes the report page of a run, reading the run's
// history at path for the examples' times, and points the user at it.
func (o *VerifyOptions) writeRunReport(rep verify.Report, history, command, target string) error {
	series, anomalies, err := report.ReadFile(history, report.Options{}, reportWatch(rep.Counts), rep.AnomalySource())
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	word, class := verdictWord(rep.Verdict, partialReason(rep))
	facts := append([][2]string{{"target", target}}, settingsPairs(rep)...)
	page := report.Page{
		Title: "kq verify: " + string(rep.Settings.Semantics), Verdict: word, Class: class,
		Semantics: string(rep.Settings.Semantics), Facts: facts, Command: command,
		Series: series, Exposure: rep.Evidence.Faults, Counts: reportCounts(rep.Counts, rep.Settings.Semantics), Lag: rep.Counts.RealtimeLag, Anomalies: anomalies,
		Notes: append(reasonNotes(rep.Verdict), spellTexts(rep.Notes)...), Generated: time.Now(),
	}
	return writeReport(o.f, o.Report, page)
}

// reasonNotes turns the reasons the evidence falls short into notes.
func reasonNotes(v check.Verdict) []string {
	var out []string
	for _, r := range v.Reasons {
		out = append(out, "not shown: "+r)
	}
	return out
}

// reportDirExists checks, before any work, that the directory of --report
// exists, so that a long run does not end unable to write its report.
func reportDirExists(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return kqerr.Usagef("--report %s: directory %s does not exist", path, dir)
	}
	return nil
}

// writeReport writes page to path and says so on stderr.
func writeReport(f *Factory, path string, page report.Page) error {
	if err := report.WriteFile(path, page); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "report: %s\n", path)
	return nil
}

// reportHistory returns the history file the report reads: --history, or
// a temporary file that cleanup removes.
func (o *VerifyOptions) reportHistory() (path string, cleanup func(), err error) {
	if o.History != "" {
		return o.History, func() {}, nil
	}
	fh, err := os.CreateTemp("", "kq-verify-*.jsonl")
	if err != nil {
		return "", nil, fmt.Errorf("history for --report: %w", err)
	}
	fh.Close()
	o.History = fh.Name()
	return fh.Name(), func() { os.Remove(fh.Name()) }, nil
}

// commandLine is c's command line: its path, its arguments and the flags
// set, quoted for a POSIX shell.
func commandLine(c *cobra.Command, positional []string) string {
	args := []string{c.CommandPath()}
	for _, a := range positional {
		args = append(args, shellQuote(a))
	}
	c.Flags().Visit(func(fl *pflag.Flag) {
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				args = append(args, shellQuote("--"+fl.Name+"="+v))
			}
			return
		}
		args = append(args, shellQuote("--"+fl.Name+"="+fl.Value.String()))
	})
	return strings.Join(args, " ")
}

// replayCommand is the command line that replays a run of c: the flags
// set, and the seed the run drew when none was given.
func replayCommand(c *cobra.Command, seed uint64) string {
	line := commandLine(c, nil)
	if !c.Flags().Changed("seed") {
		line += fmt.Sprintf(" --seed=%d", seed)
	}
	return line
}

var shellSafe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_./:=,@%+-]+$`)
})

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe().MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeCheckReport writes the report page of a checked history file.
func (o *VerifyCheckOptions) writeCheckReport(res check.HistoryResult, series report.Series, anomalies []report.AnomalyExamples, workers []check.WorkerRate, command string) error {
	word, class := verdictWord(res.Verdict, "")
	var facts [][2]string
	facts = append(facts, [2]string{"history", strings.Join(o.Files, " ")})
	if e := res.Evidence; e.End != "" {
		facts = append(facts, [2]string{"end", strings.TrimSuffix(string(e.End)+": "+e.EndReason, ": ")})
	}
	if m := res.Meta; m != nil {
		if m.Run != "" {
			facts = append(facts, [2]string{"run", m.Run})
		}
		keys := make([]string, 0, len(m.Settings))
		for k := range m.Settings {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			facts = append(facts, [2]string{k, m.Settings[k]})
		}
	}
	page := report.Page{
		Title: "kq verify check: " + string(res.Verdict.Semantics), Verdict: word, Class: class,
		Semantics: string(res.Verdict.Semantics), Facts: facts, Command: command,
		Series: series, Exposure: res.Evidence.Faults, Counts: reportCounts(res.Counts, res.Verdict.Semantics), Lag: res.Counts.RealtimeLag, Anomalies: anomalies,
		Notes: reasonNotes(res.Verdict), Workers: workers, Generated: time.Now(),
	}
	return writeReport(o.f, o.Report, page)
}
