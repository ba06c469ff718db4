package broker

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// rawBatches encodes batches of counts[i] records from offset base on,
// one after another, as a Fetch answer carries them.
func rawBatches(base int64, counts []int) []byte {
	var raw []byte
	for _, n := range counts {
		var recs []byte
		for i := range n {
			r := kmsg.NewRecord()
			r.OffsetDelta = int32(i)
			r.Value = []byte("v")
			recs = appendRecord(recs, r)
		}
		b := kmsg.NewRecordBatch()
		b.Magic = 2
		b.FirstOffset = base
		b.LastOffsetDelta = int32(n - 1)
		b.ProducerID, b.ProducerEpoch, b.FirstSequence = -1, -1, -1
		b.NumRecords = int32(n)
		b.Records = recs
		raw = append(raw, encodeBatch(b)...)
		base += int64(n)
	}
	return raw
}

// TestKeepBatchesWithoutCopyKeepsWhatTheCopyKeeps checks the no-copy path
// of keepBatches (a kept prefix) against the copying one over random
// answers: high watermarks, lost ranges and partial or short tails.
func TestKeepBatchesWithoutCopyKeepsWhatTheCopyKeeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	prefixes := 0
	for i := range 3000 {
		counts := make([]int, rng.IntN(6))
		for j := range counts {
			counts[j] = 1 + rng.IntN(3)
		}
		raw := rawBatches(100, counts)
		switch rng.IntN(4) {
		case 0: // a partial batch at the end, as a Fetch size limit leaves
			more := rawBatches(100+int64(len(raw)), []int{2})
			raw = append(raw, more[:len(more)-1-rng.IntN(len(more)/2)]...)
		case 1: // a tail shorter than a batch's offset and length
			raw = append(raw, 0, 0, 0)
		}
		hw := int64(-1)
		if rng.IntN(4) > 0 {
			hw = 100 + rng.Int64N(16)
		}
		var lost []offsetRange
		if rng.IntN(3) == 0 {
			from := 100 + rng.Int64N(16)
			lost = append(lost, offsetRange{from, from + 1 + rng.Int64N(4)})
		}
		got, gotChanged := keepBatches(raw, hw, lost)
		want, wantChanged := copyKept(raw, hw, lost)
		if gotChanged != wantChanged || (wantChanged && !bytes.Equal(got, want)) || (gotChanged && got == nil) {
			t.Fatalf("case %d (counts %v, hw %d, lost %v): kept %d bytes (changed %v), want %d (changed %v)",
				i, counts, hw, lost, len(got), gotChanged, len(want), wantChanged)
		}
		if n, ok := keptPrefix(raw, hw, lost); ok && n < len(raw) {
			prefixes++
		}
	}
	if prefixes < 300 {
		t.Fatalf("only %d of 3000 cases cut a prefix without copying: the test does not exercise the fast path", prefixes)
	}
}
