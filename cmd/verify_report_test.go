package cmd

import (
	"encoding/json"
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/report/reporttest"
)

// TestVerifyReportOfARealRunInABrowser runs a short verify on the built-in
// broker with --report and -o json, opens the report in headless Chromium
// and checks the page shows the run: its charts, a label per fault that
// ran, the counts of the JSON report, the verdict's colour and the shaded
// windows. It then re-renders the same history through kq verify check
// --report and checks that page's counts too.
func TestVerifyReportOfARealRunInABrowser(t *testing.T) {
	br := testutil.NewBrowser(t) // skips, with the reason, without Chromium
	dir := t.TempDir()
	page, hist := filepath.Join(dir, "run.html"), filepath.Join(dir, "run.jsonl")
	code, out, stderr := runKQ(t, nil, "verify", "--semantics", "at-least-once", "--commit", "before",
		"--faults", "crash-consumer,leader-move", "--fault-interval", "300ms", "--fault-duration", "500ms",
		"--messages", "3000", "--rate", "1500", "--seed", "3", "--history", hist, "--report", page, "-o", "json")
	if code != kqerr.CodeOK && code != kqerr.CodeCheckFailed && code != kqerr.CodeInconclusive {
		t.Fatalf("kq verify: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "report: "+page+"\n") {
		t.Errorf("stderr does not point at the report:\n%s", stderr)
	}
	var rep struct {
		Counts  check.Counts `json:"counts"`
		Verdict string       `json:"verdict"`
		Faults  struct {
			Events []struct {
				Kind string `json:"kind"`
			} `json:"events"`
		} `json:"faults"`
		Series struct {
			BucketMS int64            `json:"bucket_ms"`
			Buckets  []map[string]any `json:"buckets"`
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("JSON report: %v\n%s", err, out)
	}
	if rep.Series.BucketMS != 1000 || len(rep.Series.Buckets) == 0 || rep.Series.Buckets[0]["sends"] == nil {
		t.Errorf("JSON report's series: %+v", rep.Series)
	}
	var faults []string
	shaded := false
	for _, ev := range rep.Faults.Events {
		faults = append(faults, ev.Kind)
		shaded = shaded || ev.Kind == "leader-move"
	}
	if len(faults) == 0 {
		t.Fatalf("no fault ran: the test's run is too short")
	}
	counts := map[string]uint64{"sent": rep.Counts.Sent, "acked": rep.Counts.Acked, "delivered": rep.Counts.Delivered, "lost": rep.Counts.Lost}
	dom, img := br.Render(page, 1200, 1400)
	reporttest.CheckDOM(t, dom, faults, counts)
	verdict := map[string]color.Color{string(check.Held): reporttest.GoodVerdict, string(check.Violated): reporttest.BadVerdict,
		string(check.Inconclusive): reporttest.WarnVerdict}[rep.Verdict]
	if verdict == nil {
		t.Fatalf("JSON report has no verdict: %s", out)
	}
	reporttest.CheckPixels(t, img, verdict, shaded)

	checkPage := filepath.Join(dir, "check.html")
	code, _, stderr = runKQ(t, nil, "verify", "check", hist, "--report", checkPage)
	if code != kqerr.CodeOK && code != kqerr.CodeCheckFailed && code != kqerr.CodeInconclusive {
		t.Fatalf("kq verify check: exit %d\n%s", code, stderr)
	}
	dom, _ = br.Render(checkPage, 1200, 1400)
	reporttest.CheckDOM(t, dom, faults, counts)
}

func TestVerdictWordForEachOutcome(t *testing.T) {
	for _, c := range []struct {
		v           check.Verdict
		partial     string
		word, class string
	}{
		{check.Verdict{Outcome: check.Held, Held: true}, "", "HELD", "good"},
		{check.Verdict{Outcome: check.Violated}, "", "VIOLATED", "bad"},
		{check.Verdict{Outcome: check.Inconclusive, Reasons: []string{"no fault window"}}, "", "INCONCLUSIVE", "warn"},
		{check.Verdict{Outcome: check.Held, Held: true}, "the run was interrupted", "NO VERDICT: the run was interrupted", "warn"},
	} {
		if w, cl := verdictWord(c.v, c.partial); w != c.word || cl != c.class {
			t.Errorf("verdictWord(%+v, %q) = %q, %q; want %q, %q", c.v, c.partial, w, cl, c.word, c.class)
		}
	}
	notes := reasonNotes(check.Verdict{Reasons: []string{"no fault window"}})
	if len(notes) != 1 || notes[0] != "not shown: no fault window" {
		t.Errorf("notes %q", notes)
	}
}
