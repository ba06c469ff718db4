package verify

import (
	"slices"
	"testing"
	"time"
)

func TestSendWindowTakesEachPendingSeqOnce(t *testing.T) {
	w := newSendWindow()
	for seq := uint64(10); seq < 20; seq++ {
		w.add(seq)
	}
	for _, seq := range []uint64{12, 10, 19, 11} {
		if _, ok := w.take(seq); !ok {
			t.Fatalf("seq %d not pending", seq)
		}
	}
	for _, seq := range []uint64{12, 10, 9, 20, 1 << 40} {
		if _, ok := w.take(seq); ok {
			t.Errorf("seq %d taken though not pending", seq)
		}
	}
	if w.len() != 6 {
		t.Errorf("len = %d, want 6", w.len())
	}
	var left []uint64
	w.each(func(seq uint64, waited time.Duration) {
		if waited < 0 {
			t.Errorf("seq %d waited %v", seq, waited)
		}
		left = append(left, seq)
	})
	if want := []uint64{13, 14, 15, 16, 17, 18}; !slices.Equal(left, want) {
		t.Errorf("pending %v, want %v", left, want)
	}
	for seq := uint64(13); seq < 19; seq++ {
		w.take(seq)
	}
	if w.len() != 0 || len(w.at) != 0 {
		t.Errorf("drained window holds %d sends in %d slots", w.len(), len(w.at))
	}
	w.add(30) // a fresh window starts at the next seq handed over
	if _, ok := w.take(30); !ok || w.len() != 0 {
		t.Errorf("seq 30 after a drained window: ok %v, len %d", ok, w.len())
	}
}
