package broker

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kfakeIndex runs a broker on a data dir, writes committed, aborted and
// plain batches to topic "ix" and stops it, and returns the path of the
// index kfake wrote and its contents.
func kfakeIndex(t *testing.T) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	b, err := Start(Options{Nodes: 1, Port: 0, DataDir: dir, SeedTopics: map[string]int32{"ix": 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.TransactionalID("ix"), kgo.DefaultProduceTopic("ix"))
	if err != nil {
		t.Fatal(err)
	}
	for i, end := range []kgo.TransactionEndTry{kgo.TryCommit, kgo.TryAbort, kgo.TryCommit} {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte{byte(i)}}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := cl.EndTransaction(ctx, end); err != nil {
			t.Fatal(err)
		}
	}
	cl.Close()
	plain, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.DefaultProduceTopic("ix"))
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.ProduceSync(ctx, &kgo.Record{Value: []byte("plain")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	plain.Close()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(dir, "partitions", "ix-0", "0.idx")
	raw, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	return idx, raw
}

// TestIndexForMatchesKfake checks that the entries repairIndexes computes
// are byte for byte the ones the pinned kfake writes (a kfake upgrade that
// changes its index format fails here), and that a lost or damaged entry
// is put back.
func TestIndexForMatchesKfake(t *testing.T) {
	idx, orig := kfakeIndex(t)
	seg, err := os.ReadFile(filepath.Join(filepath.Dir(idx), "0.dat"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := indexFor(seg, 0)
	if len(orig) != 7*idxEntryLen { // 3 transactional batches, 3 markers, 1 plain batch
		t.Fatalf("kfake wrote %d index bytes, want 7 entries", len(orig))
	}
	if !bytes.Equal(want, orig) {
		t.Fatalf("computed index differs from kfake's:\n got %x\nwant %x", want, orig)
	}
	dataDir := filepath.Dir(filepath.Dir(filepath.Dir(idx)))
	if n, err := repairIndexes(dataDir); err != nil || n != 0 {
		t.Fatalf("repair of an intact index: %d rewritten, %v", n, err)
	}
	damaged := map[string][]byte{
		"last entry lost":   orig[:len(orig)-idxEntryLen],
		"middle entry lost": append(append([]byte(nil), orig[:idxEntryLen]...), orig[2*idxEntryLen:]...),
		"torn entry":        orig[:len(orig)-3],
		"flag flipped":      flipFlag(orig, 0),
		"no index":          nil,
	}
	for name, bad := range damaged {
		if err := os.WriteFile(idx, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if n, err := repairIndexes(dataDir); err != nil || n != 1 {
			t.Fatalf("%s: %d rewritten, %v", name, n, err)
		}
		got, err := os.ReadFile(idx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, orig) {
			t.Fatalf("%s: repaired index differs from kfake's", name)
		}
	}
}

func flipFlag(idx []byte, i int) []byte {
	out := append([]byte(nil), idx...)
	out[i*idxEntryLen+idxFlagsAt] ^= 1
	return out
}
