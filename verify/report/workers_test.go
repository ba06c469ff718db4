package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kq-dev/kq/verify/check"
)

// TestReadFilesWorkers: the union timeline of two workers' histories, and
// each one's share as check.Files counts it, on the page.
func TestReadFilesWorkers(t *testing.T) {
	dir := t.TempDir()
	w0 := `{"type":"meta","semantics":"at-least-once","run":"r","worker":0,"workers":2,"ts":1000000}
{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0,"ts":1000000}
{"type":"send","producer":0,"seq":1,"status":"ok","topic":"t","partition":0,"offset":2,"ts":3000000}
{"type":"deliver","producer":1,"seq":0,"topic":"t","partition":0,"offset":1,"ts":3500000}
{"type":"end","outcome":"complete","ts":4000000}
`
	w1 := `{"type":"meta","semantics":"at-least-once","run":"r","worker":1,"workers":2,"ts":1000000}
{"type":"send","producer":1,"seq":0,"status":"ok","topic":"t","partition":0,"offset":1,"ts":2000000}
{"type":"send","producer":1,"seq":1,"status":"info","ts":2500000}
{"type":"deliver","producer":0,"seq":0,"topic":"t","partition":0,"offset":0,"ts":3000000}
{"type":"deliver","producer":0,"seq":1,"topic":"t","partition":0,"offset":2,"ts":4000000}
{"type":"end","outcome":"complete","ts":4000000}
`
	var paths []string
	for i, h := range []string{w0, w1} {
		p := filepath.Join(dir, []string{"a.jsonl", "b.jsonl"}[i])
		if err := os.WriteFile(p, []byte(h), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	series, _, err := ReadFiles([]string{paths[1], paths[0]}, Options{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Each history's share is counted by the checker's one pass.
	res, err := check.Files([]string{paths[1], paths[0]}, "", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rates := res.Workers
	if len(rates) != 2 || rates[0].Worker != 1 || rates[1].Worker != 0 {
		t.Fatalf("rates %+v, want worker 1 then worker 0 (the order given)", rates)
	}
	if r := rates[0]; r.Sent != 2 || r.Acked != 1 || r.Delivered != 2 || r.Span().Seconds() != 2 || r.AckedPerSec() != 0.5 {
		t.Errorf("worker 1: %+v span %v, want 2 sent, 1 acked, 2 delivered over 2s", r, r.Span())
	}
	if r := rates[1]; r.Acked != 2 || r.Delivered != 1 || r.AckedPerSec() != 2/2.5 {
		t.Errorf("worker 0: %+v, want 2 acked, 1 delivered over 2.5s", r)
	}
	// The union timeline: every worker's sends and deliveries.
	var acked, delivered uint64
	for _, b := range series.Buckets {
		acked, delivered = acked+b.Acks, delivered+b.Deliveries
	}
	if acked != 3 || delivered != 3 {
		t.Errorf("series holds %d acks and %d deliveries, want 3 and 3", acked, delivered)
	}
	p := samplePage()
	p.Workers = rates
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<table id="workers">`) || !strings.Contains(buf.String(), "b.jsonl") {
		t.Errorf("page lacks the workers table")
	}
}
