package broker

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// rawBatch encodes a record batch header (no records are needed by the
// scan) at base with n records.
func rawBatch(base int64, n int32, pid int64, epoch int16, seq int32, attrs int16) []byte {
	b := kmsg.RecordBatch{
		FirstOffset: base, Magic: 2, Attributes: attrs, LastOffsetDelta: n - 1,
		ProducerID: pid, ProducerEpoch: epoch, FirstSequence: seq, NumRecords: n,
	}
	enc := b.AppendTo(nil)
	b.Length = int32(len(enc) - 12)
	return b.AppendTo(nil)
}

func TestPartScanOpenTransactions(t *testing.T) {
	const txn, ctl = wire.AttrTransactional, wire.AttrTransactional | wire.AttrControl
	var raw []byte
	raw = append(raw, rawBatch(0, 2, 7, 0, 0, txn)...)  // pid 7 opens
	raw = append(raw, rawBatch(2, 1, 8, 3, 0, txn)...)  // pid 8 opens
	raw = append(raw, rawBatch(3, 1, 7, 0, -1, ctl)...) // pid 7 commits
	raw = append(raw, rawBatch(4, 3, 9, 0, 0, 0)...)    // plain idempotent
	raw = append(raw, rawBatch(7, 1, 7, 1, 0, txn)...)  // pid 7 opens again
	raw = append(raw, rawBatch(8, 1, -1, -1, -1, 0)...) // not idempotent
	partial := rawBatch(9, 1, 10, 0, 0, txn)[:30]       // cut short: ignored
	sc := &partScan{topic: "t", part: 1, open: map[int64]int16{}, seqs: seqWindows{}}
	if end := sc.batches(append(raw, partial...)); end != 9 {
		t.Fatalf("end = %d, want 9", end)
	}
	if len(sc.open) != 2 || sc.open[7] != 1 || sc.open[8] != 3 {
		t.Fatalf("open = %v, want pid 7 at epoch 1 and pid 8 at epoch 3", sc.open)
	}
	if _, ok := sc.open[10]; ok {
		t.Fatal("a partial batch opened a transaction")
	}
	if len(sc.seqs) != 3 {
		t.Fatalf("windows for %d producers, want 3 (7, 8, 9)", len(sc.seqs))
	}
	w := sc.seqs[9]
	if w.NextSeq != 3 || w.Count != 1 || w.Entries[0] != (seqEntry{0, 3, 4}) {
		t.Fatalf("window of pid 9 = %+v", w)
	}
	if w := sc.seqs[7]; w.Epoch != 1 || w.Count != 1 || w.NextSeq != 1 {
		t.Fatalf("window of pid 7 after its epoch changed = %+v, want reset to epoch 1", w)
	}
}

func TestSeqWindowRing(t *testing.T) {
	var w seqWindow
	for i := range int32(7) {
		w.push(0, i*2, 2, int64(i*2))
	}
	if w.Count != 5 || w.NextSeq != 14 || w.At != 2 {
		t.Fatalf("after 7 batches: count %d next %d at %d, want 5 14 2", w.Count, w.NextSeq, w.At)
	}
	if w.Entries[1] != (seqEntry{12, 14, 12}) {
		t.Fatalf("latest entry = %+v", w.Entries[1])
	}
}

func TestWriteSeqWindowsReplacesStale(t *testing.T) {
	dir := t.TempDir()
	stale := `{"version":1,"windows":[{"pid":1,"topic":"t","partition":0,"at":1,"epoch":0,"next_seq":5},` +
		`{"pid":2,"topic":"t","partition":0,"at":1,"epoch":4,"next_seq":9}]}`
	if err := os.WriteFile(filepath.Join(dir, seqFile), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := &seqWindow{PID: 1, Topic: "t", Part: 0}
	fresh.push(0, 0, 20, 100)
	if err := writeSeqWindows(dir, []*seqWindow{fresh}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, seqFile))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version int         `json:"version"`
		Windows []seqWindow `json:"windows"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || len(got.Windows) != 2 {
		t.Fatalf("file = %s", raw)
	}
	for _, w := range got.Windows {
		switch w.PID {
		case 1:
			if w.NextSeq != 20 || !w.Seen {
				t.Fatalf("pid 1 not rebuilt: %+v", w)
			}
		case 2:
			if w.NextSeq != 9 || w.Epoch != 4 {
				t.Fatalf("pid 2 not kept: %+v", w)
			}
		}
	}
}
