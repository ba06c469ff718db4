package broker

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDecisionLogCompacts: past decisionCompactBytes the log keeps only
// the commit decisions no begin followed, and readDecisions still sees
// them; a torn last line is skipped.
func TestDecisionLogCompacts(t *testing.T) {
	dir := t.TempDir()
	d, err := newTxnDecisions(dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	for pid := range int64(10) {
		d.begin(pid, 0)
		d.decide(pid, 0, true)
		d.begin(pid, 0) // resolved: the producer began again
	}
	d.begin(-5, 3)
	d.decide(-5, 3, true) // pending: nothing followed
	compacted := false
	for range decisionCompactBytes / 40 { // more than the compaction size
		before := d.size
		d.begin(1, 1)
		d.decide(1, 1, false)
		compacted = compacted || d.size < before
	}
	if !compacted {
		t.Fatal("the log was never compacted")
	}
	fi, err := os.Stat(filepath.Join(dir, decisionFile))
	if err != nil || fi.Size() >= decisionCompactBytes {
		t.Fatalf("log size %v after compaction: %v", fi.Size(), err)
	}
	f, err := os.OpenFile(filepath.Join(dir, decisionFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"op":"commit","pid":1,"ep`) // torn by a crash
	f.Close()
	last, err := readDecisions(dir)
	if err != nil {
		t.Fatal(err)
	}
	if e := last[-5]; e.Op != "commit" || e.Epoch != 3 {
		t.Fatalf("pending commit after compaction: %+v", e)
	}
	if e := last[1]; e.Op != "abort" {
		t.Fatalf("last entry of pid 1: %+v, want its abort (the torn line skipped)", e)
	}
}

// BenchmarkDecisionLog measures what kq's transaction log adds to one
// transaction: a begin and a commit decision appended to the file.
func BenchmarkDecisionLog(b *testing.B) {
	for _, sync := range []bool{false, true} {
		name := "page-cache"
		if sync {
			name = "fsync"
		}
		b.Run(name, func(b *testing.B) {
			d, err := newTxnDecisions(b.TempDir(), sync, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer d.close()
			b.ReportAllocs()
			for i := range b.N {
				d.begin(int64(i%64), 0)
				d.decide(int64(i%64), 0, true)
			}
		})
	}
}
