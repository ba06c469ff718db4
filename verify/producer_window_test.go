package verify

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
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

func TestProducerWaitsForAnswersAtMaxPending(t *testing.T) {
	inc := &prodIncarnation{r: &run{rec: history.NewRecorder(nil, nil)}, pending: newSendWindow(), room: make(chan struct{}, 1), life: &life{dead: make(chan struct{})}}
	for seq := range uint64(maxPending) {
		if ok, full := inc.track(seq); !ok || full {
			t.Fatalf("track(%d) below the bound: ok %v, full %v", seq, ok, full)
		}
	}
	if ok, full := inc.track(maxPending); ok || !full {
		t.Fatalf("track at the bound: ok %v, full %v, want it refused as full", ok, full)
	}
	waited := make(chan error, 1)
	go func() { waited <- inc.awaitRoom(context.Background()) }()
	select {
	case err := <-waited:
		t.Fatalf("awaitRoom returned (%v) with %d sends pending", err, maxPending)
	case <-time.After(50 * time.Millisecond):
	}
	inc.resolve(7, 0, 0, nil)
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("awaitRoom after an answer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an answer did not make room")
	}
	ctx, cancel := context.WithCancel(context.Background())
	inc.track(maxPending)
	cancel()
	if err := inc.awaitRoom(ctx); err == nil {
		t.Error("awaitRoom at the bound returned no error for an ended context")
	}
}
