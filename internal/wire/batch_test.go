package wire

import (
	"encoding/binary"
	"testing"
)

// rawBatch is a batch header (no records) at base offset base with last
// offset delta last, whose length field says size bytes follow it.
func rawBatch(base int64, last, size int32) []byte {
	b := make([]byte, LogOverhead+max(int(size), 0))
	binary.BigEndian.PutUint64(b, uint64(base))
	binary.BigEndian.PutUint32(b[8:], uint32(size))
	if len(b) >= BatchHeaderLen {
		b[BatchMagic] = 2
		binary.BigEndian.PutUint32(b[BatchLastDelta:], uint32(last))
	}
	return b
}

func TestNextBatch(t *testing.T) {
	whole := BatchHeaderLen - LogOverhead
	first, second := rawBatch(10, 2, int32(whole)), rawBatch(13, 0, int32(whole))
	raw := append(append([]byte{}, first...), second...)
	b, rest, ok := NextBatch(raw)
	if !ok || len(b) != len(first) || len(rest) != len(second) || BatchBase(b) != 10 || BatchEnd(b) != 13 {
		t.Fatalf("first: ok %v, %d bytes, %d left, base %d, end %d", ok, len(b), len(rest), BatchBase(b), BatchEnd(b))
	}
	if b, rest, ok = NextBatch(rest); !ok || BatchEnd(b) != 14 || len(rest) != 0 {
		t.Fatalf("second: ok %v, end %d, %d left", ok, BatchEnd(b), len(rest))
	}
	for name, raw := range map[string][]byte{
		"empty":                  nil,
		"shorter than overhead":  make([]byte, LogOverhead-1),
		"partial batch":          rawBatch(0, 0, int32(whole))[:BatchHeaderLen-1],
		"length under a header":  rawBatch(0, 0, int32(whole-1)),
		"negative length":        rawBatch(0, 0, -1),
		"length past the answer": append(rawBatch(0, 0, int32(whole+5)), 0)[:BatchHeaderLen+1],
	} {
		if b, rest, ok := NextBatch(raw); ok || b != nil || len(rest) != len(raw) {
			t.Errorf("%s: ok %v, batch %d bytes, rest %d of %d bytes", name, ok, len(b), len(rest), len(raw))
		}
	}
}
