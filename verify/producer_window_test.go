package verify

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

func TestSendWindowTakesEachPendingSeqOnce(t *testing.T) {
	w := newSendWindow()
	handed := map[uint64]time.Time{}
	for seq := uint64(10); seq < 20; seq++ {
		handed[seq] = w.add(seq)
	}
	for _, seq := range []uint64{12, 10, 19, 11} {
		at, ok := w.take(seq)
		if !ok {
			t.Fatalf("seq %d not pending", seq)
		}
		// The time add gave the client (produce.Record.Handed) is the
		// one the send's latency counts from.
		if !at.Equal(handed[seq]) {
			t.Fatalf("seq %d: taken as handed over at %v, add said %v", seq, at, handed[seq])
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
	if w.len() != 0 || w.span != 0 {
		t.Errorf("drained window holds %d sends in %d slots", w.len(), w.span)
	}
	w.add(30) // a fresh window starts at the next seq handed over
	if _, ok := w.take(30); !ok || w.len() != 0 {
		t.Errorf("seq 30 after a drained window: ok %v, len %d", ok, w.len())
	}
}

// TestSendWindowMatchesAMap drives a window and a map of the pending seqs
// through the same random run (seqs handed over in order, answers in any
// order, the window emptied now and then), through the ring's growth and
// its wrapping round, and compares them at every step.
func TestSendWindowMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := newSendWindow()
	model := map[uint64]bool{}
	next := uint64(0)
	for step := range 200_000 {
		switch {
		case step%50_000 == 49_999: // drain: the next seq starts a fresh window
			for seq := range model {
				if _, ok := w.take(seq); !ok {
					t.Fatalf("step %d: pending seq %d not taken", step, seq)
				}
				delete(model, seq)
			}
		case next == 0 || rng.IntN(100) < 51 && len(model) < 3000:
			w.add(next)
			model[next] = true
			next++
		default:
			// answer a seq from near the window's start or anywhere in it
			seq := next - 1 - uint64(rng.IntN(int(min(next, 4000))))
			if rng.IntN(4) == 0 {
				seq = w.base + uint64(rng.IntN(8))
			}
			if _, ok := w.take(seq); ok != model[seq] {
				t.Fatalf("step %d: take(%d) = %v, the model says %v", step, seq, ok, model[seq])
			}
			delete(model, seq)
		}
		if w.len() != len(model) {
			t.Fatalf("step %d: len %d, the model holds %d", step, w.len(), len(model))
		}
		if step%997 == 0 {
			var got []uint64
			w.each(func(seq uint64, _ time.Duration) { got = append(got, seq) })
			want := slices.Sorted(maps.Keys(model))
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: each gave %d seqs, the model %d", step, len(got), len(want))
			}
		}
	}
	if len(w.at) <= minWindow {
		t.Fatalf("the ring never grew (%d slots): the test missed the growth", len(w.at))
	}
}

func TestProducerWaitsForAnswersAtMaxPending(t *testing.T) {
	inc := &prodIncarnation{r: &run{rec: history.NewRecorder(nil, nil)}, pending: newSendWindow(), room: make(chan struct{}, 1), life: &life{dead: make(chan struct{})}}
	for seq := range uint64(maxPending) {
		if _, ok, full := inc.track(seq); !ok || full {
			t.Fatalf("track(%d) below the bound: ok %v, full %v", seq, ok, full)
		}
	}
	if _, ok, full := inc.track(maxPending); ok || !full {
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
