package broker

import (
	"encoding/binary"
	"testing"
)

// respFrame is a response frame (length prefix, correlation id) answering corr.
func respFrame(corr int32) []byte {
	f := make([]byte, 8)
	binary.BigEndian.PutUint32(f[0:4], 4)
	binary.BigEndian.PutUint32(f[4:8], uint32(corr))
	return f
}

func TestInflightTakesOnceAndIsBounded(t *testing.T) {
	var f inflight[string]
	if !f.add(7, "seven") {
		t.Fatal("add refused on an empty table")
	}
	if v, ok := f.take(respFrame(7)); !ok || v != "seven" {
		t.Fatalf("take(7) = %q, %t", v, ok)
	}
	if _, ok := f.take(respFrame(7)); ok {
		t.Fatal("a request was taken twice")
	}
	if _, ok := f.take([]byte{0, 0, 0}); ok {
		t.Fatal("a short frame matched a request")
	}
	for i := range maxTracked {
		if !f.add(int32(i), "x") {
			t.Fatalf("add %d refused below the bound", i)
		}
	}
	if f.add(maxTracked, "over") {
		t.Fatal("add past maxTracked accepted")
	}
}
