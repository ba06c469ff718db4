package check

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// workerHistories writes the histories of a run of n workers: worker w's
// producer w sends seqs 0 to 9 at offsets 0 to 9 of partition w, and
// worker (w+1)%n's consumer delivers them (reading that whole partition), so each file alone holds
// sends delivered elsewhere and deliveries sent elsewhere. edit may change
// a worker's events before they are written.
func workerHistories(t *testing.T, n int, edit func(w int, evs []history.Event) []history.Event) []string {
	t.Helper()
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	events := make([][]history.Event, n)
	for w := range n {
		events[w] = append(events[w], history.Event{Type: history.TypeMeta, Time: at(0), Semantics: string(AtLeastOnce),
			Run: "kq-verify-test", Worker: w, Workers: n})
	}
	for seq := range 10 {
		for w := range n {
			off, tick := int64(seq), seq*n+w
			e := ack(uint32(w), uint64(seq), int32(w), off)
			e.Time = at(10 + tick)
			events[w] = append(events[w], e)
			d := del(uint32(w), uint64(seq), int32(w), off)
			d.Time, d.Consumer = at(500+tick), fmt.Sprintf("c%d/0", (w+1)%n)
			events[(w+1)%n] = append(events[(w+1)%n], d)
		}
	}
	var paths []string
	for w := range n {
		evs := append(events[w], history.Event{Type: history.TypeEnd, Time: at(2000), Outcome: history.OutcomeComplete})
		slices.SortStableFunc(evs, func(a, b history.Event) int { return a.Time.Compare(b.Time) })
		if edit != nil {
			evs = edit(w, evs)
		}
		var buf bytes.Buffer
		rec := history.NewRecorder(&buf, nil)
		for _, e := range evs {
			if err := rec.Record(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := rec.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("w%d.jsonl", w))
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func checkFiles(t *testing.T, paths []string) HistoryResult {
	t.Helper()
	res, err := Files(paths, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func hasReason(v Verdict, want string) bool {
	return slices.ContainsFunc(v.Reasons, func(r string) bool { return strings.Contains(r, want) })
}

func TestFilesMergeOneRun(t *testing.T) {
	paths := workerHistories(t, 3, nil)
	res := checkFiles(t, paths)
	if res.Verdict.Outcome != Held {
		t.Fatalf("verdict %+v, want held", res.Verdict)
	}
	if res.Counts.Sent != 30 || res.Counts.Delivered != 30 || res.Counts.Lost != 0 || res.Counts.Unsent != 0 {
		t.Errorf("counts %+v, want 30 sent and delivered, nothing lost or unsent", countsOnly(res.Counts))
	}
	if res.Run == nil || res.Run.Workers != 3 || res.Run.Run != "kq-verify-test" || len(res.Run.Problems) != 0 {
		t.Errorf("run set %+v", res.Run)
	}
	// The order the files are given in does not matter.
	rev := slices.Clone(paths)
	slices.Reverse(rev)
	if got := checkFiles(t, rev); got.Verdict.Outcome != Held || got.Counts.Delivered != 30 {
		t.Errorf("files reversed: %+v", got.Verdict)
	}
}

func TestFilesOneWorkerAloneInconclusive(t *testing.T) {
	paths := workerHistories(t, 3, nil)
	res, err := File(paths[1], "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Alone, worker 1's file shows sends never delivered and deliveries
	// never sent: not evidence of anything.
	if res.Verdict.Outcome != Inconclusive || len(res.Verdict.Violations) != 0 {
		t.Fatalf("verdict %+v, want inconclusive with no violation", res.Verdict)
	}
	if !hasReason(res.Verdict, "worker 0, 2 of 3 missing") {
		t.Errorf("reasons %q do not name the missing workers", res.Verdict.Reasons)
	}
}

func TestFilesPlantedLossFoundAfterMerge(t *testing.T) {
	// Worker 2's consumer misses one value of worker 1's producer: the
	// loss shows only when worker 1's send meets worker 2's deliveries.
	drop := func(w int, evs []history.Event) []history.Event {
		if w != 2 {
			return evs
		}
		return slices.DeleteFunc(evs, func(e history.Event) bool {
			return e.Type == history.TypeDeliver && e.Producer == 1 && e.Seq == 4
		})
	}
	res := checkFiles(t, workerHistories(t, 3, drop))
	if res.Verdict.Outcome != Violated || res.Counts.Lost != 1 {
		t.Fatalf("verdict %s, lost %d: want violated, 1 lost", res.Verdict.Outcome, res.Counts.Lost)
	}
	if ex := res.Counts.Examples[AnomalyLost]; len(ex) != 1 || ex[0].Value != "1/4" {
		t.Errorf("lost examples %+v, want 1/4", ex)
	}
}

func TestFilesNotOneRun(t *testing.T) {
	paths := workerHistories(t, 3, nil)
	other := workerHistories(t, 3, func(w int, evs []history.Event) []history.Event {
		evs[0].Run = "kq-verify-other"
		return evs
	})
	four := workerHistories(t, 4, nil)
	unfinished := workerHistories(t, 3, func(w int, evs []history.Event) []history.Event {
		if w == 1 {
			return evs[:len(evs)-1]
		}
		return evs
	})
	for _, tc := range []struct {
		name  string
		paths []string
		want  string
	}{
		{"missing worker", paths[:2], "worker 2 of 3 missing"},
		{"worker twice", []string{paths[0], paths[1], paths[1], paths[2]}, "worker 1 twice"},
		{"another run", []string{paths[0], paths[1], other[2]}, `is of run "kq-verify-other"`},
		{"another worker count", []string{paths[0], paths[1], paths[2], four[3]}, "is worker 3 of 4, not of 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := checkFiles(t, tc.paths)
			if res.Verdict.Outcome != Inconclusive || len(res.Verdict.Violations) != 0 {
				t.Fatalf("verdict %s %v, want inconclusive", res.Verdict.Outcome, res.Verdict.Violations)
			}
			if !hasReason(res.Verdict, tc.want) {
				t.Errorf("reasons %q, want one with %q", res.Verdict.Reasons, tc.want)
			}
		})
	}
	t.Run("a worker did not end", func(t *testing.T) {
		res := checkFiles(t, unfinished)
		if res.Verdict.Outcome != Inconclusive || res.Evidence.End != history.OutcomeFailed {
			t.Fatalf("verdict %s, end %s: want inconclusive, failed", res.Verdict.Outcome, res.Evidence.End)
		}
		if !strings.Contains(res.Evidence.EndReason, "w1.jsonl has no end line") {
			t.Errorf("end reason %q does not name worker 1's file", res.Evidence.EndReason)
		}
	})
}

func TestFilesSingleHistoryUnchanged(t *testing.T) {
	// A history that is not a worker's is checked alone as before.
	p := filepath.Join(t.TempDir(), "h.jsonl")
	lines := `{"type":"meta","version":2,"semantics":"at-least-once"}
{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}
{"type":"deliver","producer":0,"seq":0,"topic":"t","partition":0,"offset":0}
{"type":"end","outcome":"complete"}
`
	if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	res := checkFiles(t, []string{p})
	want, err := Read(strings.NewReader(lines), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Run != nil || res.Verdict.Outcome != Held || !reflect.DeepEqual(res.Counts, want.Counts) {
		t.Errorf("Files %+v %+v, Read %+v", res.Run, res.Verdict, want.Verdict)
	}
}

func TestFilesErrorNamesFile(t *testing.T) {
	paths := workerHistories(t, 2, nil)
	f, err := os.OpenFile(paths[1], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, `{"type":"send","producer":0}`)
	f.Close()
	_, err = Files(paths, "", Options{})
	if err == nil || !strings.Contains(err.Error(), "w1.jsonl") || !strings.Contains(err.Error(), "line") {
		t.Errorf("error %v, want one naming w1.jsonl and the line", err)
	}
}
