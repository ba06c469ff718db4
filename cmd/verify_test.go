package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// parseVerify runs `kq verify` flag parsing and returns the library
// options the command would run with.
func parseVerify(t *testing.T, args ...string) (verify.Options, error) {
	t.Helper()
	f, _ := testFactory()
	var got *VerifyOptions
	c := NewCmdVerify(f, func(o *VerifyOptions) error { got = o; return nil })
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	if err := c.Execute(); err != nil {
		return verify.Options{}, err
	}
	return got.options()
}

func TestVerifyFlagsOverrideOnlyWhatIsSet(t *testing.T) {
	opts, err := parseVerify(t, "--semantics", "exactly-once", "--idempotent=false", "--acks", "1", "--rate", "0",
		"--fault-exec", "start=echo down", "--fault-exec", "end=echo up", "--seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	ov := opts.Overrides
	if ov.Idempotent == nil || *ov.Idempotent || ov.Acks == nil || *ov.Acks != setting.AcksLeader {
		t.Errorf("overrides %+v, want idempotent=false and acks=1", ov)
	}
	if ov.Retries != nil || ov.Commit != nil || ov.Isolation != nil || ov.MaxInFlight != nil || ov.AutoCommit != nil {
		t.Errorf("flags not given override the preset: %+v", ov)
	}
	if opts.Workload.Rate >= 0 || opts.ExecStart != "echo down" || opts.ExecEnd != "echo up" || opts.Seed != 7 {
		t.Errorf("options %+v", opts)
	}
	opts, err = parseVerify(t)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Workload.Messages != verify.DefaultMessages || opts.Workload.Rate != verify.DefaultRate || opts.Overrides != (verify.Overrides{}) {
		t.Errorf("defaults %+v", opts)
	}
	for _, bad := range [][]string{{"--acks", "2"}, {"--commit", "sometimes"}, {"--isolation", "dirty"}, {"--fault-exec", "middle=x"}, {"--fault-interval", "0s"}} {
		if _, err := parseVerify(t, bad...); !errorsIsUsage(err) {
			t.Errorf("%v: err = %v, want a usage error", bad, err)
		}
	}
}

func errorsIsUsage(err error) bool { return kqerr.Code(err) == kqerr.CodeUsage }

func sampleReport(held bool) verify.Report {
	set, _ := verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.AtLeastOnce, Faults: verify.ListedFaults(chaos.Fault{Kind: chaos.DropResponse}), Seed: 5}})
	c := check.Counts{Sent: 10, Acked: 10, Delivered: 9, Lost: 1,
		Examples: map[check.Anomaly][]check.Example{check.AnomalyLost: {{Value: "0/3", Topic: "t", Partition: 1, Offset: 4}}}}
	if held {
		c = check.Counts{Sent: 10, Acked: 10, Delivered: 11, Duplicated: 1, LogDuplicates: 1}
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev := check.Evidence{End: history.OutcomeComplete, Timed: true, MinWindows: 1,
		Faults: []check.Exposure{{Fault: "drop-response", Windows: 1, Covered: 1, Traffic: 7, Duration: time.Second}}}
	return verify.Report{Settings: set, Topics: []string{"kq-verify-1"}, Counts: c, Evidence: ev, Verdict: check.Judge(c, check.AtLeastOnce, ev),
		Faults: chaos.Timeline{Seed: 5, Events: []chaos.Event{{Kind: chaos.DropResponse, Fault: "drop-response",
			PlannedStart: time.Second, PlannedEnd: 2 * time.Second, Start: start, End: start.Add(time.Second)}}},
		Phases:  []verify.Phase{{Name: verify.PhaseProduce, Duration: time.Second, Records: 10}},
		Started: start, Duration: 2 * time.Second, Notes: []kqerr.SettingText{"a caveat"}}
}

func TestVerifyReportTable(t *testing.T) {
	ios, _, out, _ := output.Test()
	p := output.NewPrinter(ios, output.Table, output.ColorNever)
	if err := renderVerifyReport(p, sampleReport(false)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"semantics:  at-least-once", "seed 5", "lost                   1      violation",
		"log duplicates         0      allowed", "+1s..+2s", "verdict: at-least-once VIOLATED", "no-loss: 1",
		"0/3 at t/1@4", "note: a caveat"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	out.Reset()
	if err := renderVerifyReport(p, sampleReport(true)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "verdict: at-least-once HELD") || strings.Contains(out.String(), "log_duplicates:") {
		t.Errorf("a held verdict shows examples of allowed anomalies or no verdict:\n%s", out)
	}
	if !strings.Contains(out.String(), "drop-response  1 of 1") {
		t.Errorf("report lacks the fault's exposure:\n%s", out)
	}
}

// TestVerifyReportInconclusiveAndFailed renders a run without the evidence
// for a verdict, and a run that failed: neither says HELD.
func TestVerifyReportInconclusiveAndFailed(t *testing.T) {
	ios, _, out, _ := output.Test()
	p := output.NewPrinter(ios, output.Table, output.ColorNever)
	rep := sampleReport(true)
	rep.Evidence.Faults[0].Covered = 0
	rep.Verdict = check.Judge(rep.Counts, check.AtLeastOnce, rep.Evidence)
	if err := renderVerifyReport(p, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"verdict: at-least-once INCONCLUSIVE", "not shown: fault drop-response had 0 full windows over traffic (of 1)", "not covered"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if err := rep.Err(); kqerr.Code(err) != kqerr.CodeInconclusive {
		t.Errorf("inconclusive report: Err() = %v, want exit 5", err)
	}

	out.Reset()
	rep = sampleReport(true)
	rep.Failed, rep.Verdict = "the consumers did not catch up within 1m0s", check.Verdict{Semantics: check.AtLeastOnce}
	if err := renderVerifyReport(p, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "verdict: none: run failed: the consumers did not catch up within 1m0s; the counts are partial") ||
		strings.Contains(out.String(), "HELD") || strings.Contains(out.String(), "VIOLATED") {
		t.Errorf("a failed run's report:\n%s", out)
	}
	jios, _, jout, _ := output.Test()
	if err := renderVerifyReport(output.NewPrinter(jios, output.JSON, output.ColorNever), rep); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(jout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["verdict"]; ok || got["held"] != false || got["partial"] != true || got["failed"] == nil {
		t.Errorf("a failed run's JSON has a verdict or lacks partial/failed: %s", jout)
	}
}

func TestVerifyReportJSON(t *testing.T) {
	ios, _, out, _ := output.Test()
	p := output.NewPrinter(ios, output.JSON, output.ColorNever)
	if err := renderVerifyReport(p, sampleReport(false)); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"settings", "counts", "verdict", "violations", "reasons", "evidence", "faults", "phases", "duration_ms", "notes", "clients"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON report lacks %q: %s", key, out)
		}
	}
	if got["verdict"] != "violated" || got["held"] != false || got["partial"] != false {
		t.Errorf("JSON verdict %v held %v partial %v, want violated, false, false", got["verdict"], got["held"], got["partial"])
	}
	phase := got["phases"].([]any)[0].(map[string]any)
	if phase["records_per_sec"] != 10.0 || phase["duration_ms"] != 1000.0 {
		t.Errorf("phase %v", phase)
	}
}

func TestVerifyCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	held := write("held.jsonl", `{"type":"meta","version":1,"semantics":"at-least-once"}
{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}
{"type":"deliver","topic":"t","partition":0,"offset":0,"producer":0,"seq":0}
{"type":"deliver","topic":"t","partition":0,"offset":0,"producer":0,"seq":0}
{"type":"end","outcome":"complete"}
`)
	lost := write("lost.jsonl", `{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}
{"type":"end","outcome":"complete"}
`)
	partial := write("partial.jsonl", `{"type":"meta","version":2,"semantics":"at-least-once"}
{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}
{"type":"deliver","topic":"t","partition":0,"offset":0,"producer":0,"seq":0}
`)
	bad := write("bad.jsonl", `{"type":"send","producer":0}
`)
	cases := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"verify", "check", held}, 0, "verdict: at-least-once HELD"},
		{[]string{"verify", "check", held, "--semantics", "exactly-once"}, 3, "no-redeliveries: 1"},
		{[]string{"verify", "check", lost, "--semantics", "at-least-once", "-o", "json"}, 3, `"unseen": 1`},
		{[]string{"verify", "check", lost}, 2, ""},
		{[]string{"verify", "check", partial}, 5, "verdict: at-least-once INCONCLUSIVE"},
		{[]string{"verify", "check", partial, "-o", "json"}, 5, `"verdict": "inconclusive"`},
		{[]string{"verify", "check", bad, "--semantics", "at-most-once"}, 2, ""},
		{[]string{"verify", "check", filepath.Join(dir, "missing")}, 1, ""},
	}
	for _, tc := range cases {
		ios, _, out, errOut := output.Test()
		f := NewFactory(ios, func(string) (string, bool) { return "", false })
		if code := Run(context.Background(), f, tc.args); code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("%v: exit %d, want %d; stdout:\n%s\nstderr:\n%s", tc.args[2:], code, tc.code, out, errOut)
		}
		if tc.code == 2 && bytes.Contains(errOut.Bytes(), []byte("Usage:")) {
			t.Errorf("%v: a bad history prints the usage:\n%s", tc.args[2:], errOut)
		}
	}
}

// TestRateText: a paced rate, any fraction, prints whole; a slow one keeps
// three figures.
func TestRateText(t *testing.T) {
	for rate, want := range map[float64]string{1234.5678: "1235/s", 10_000: "10000/s", 10: "10/s", 2.34567: "2.35/s", 0.5: "0.5/s"} {
		if got := rateText(rate); got != want {
			t.Errorf("rateText(%v) = %q, want %q", rate, got, want)
		}
	}
}
