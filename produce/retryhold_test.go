package produce

import (
	"testing"
	"time"
)

// TestRetryHoldKeepsPartitionOrder: a batch waiting out its backoff holds
// the later batches of its partition, not those of others, and they leave
// in seal order once it may go.
func TestRetryHoldKeepsPartitionOrder(t *testing.T) {
	var wakes []time.Duration
	h := newRetryHold(func(d time.Duration) { wakes = append(wakes, d) })
	now := time.Unix(1000, 0)
	retried := &batch{partition: 0, seq: 2, notBefore: now.Add(100 * time.Millisecond)}
	later := &batch{partition: 0, seq: 3}
	earlier := &batch{partition: 0, seq: 1, notBefore: now.Add(100 * time.Millisecond)}
	other := &batch{partition: 1, seq: 4}
	if !h.take(retried, now) || !h.take(later, now) || !h.take(earlier, now) {
		t.Fatal("partition 0's batches must be held")
	}
	if h.take(other, now) {
		t.Fatal("partition 1 has nothing waiting: its batch must go at once")
	}
	if len(wakes) != 2 || wakes[0] != 100*time.Millisecond {
		t.Fatalf("wake-ups %v, want one per retried batch after its backoff", wakes)
	}
	if got := h.due(now.Add(50*time.Millisecond), nil); len(got) != 0 {
		t.Fatalf("released %d batches before the backoff passed", len(got))
	}
	got := h.due(now.Add(100*time.Millisecond), nil)
	if len(got) != 3 || got[0] != earlier || got[1] != retried || got[2] != later {
		t.Fatalf("released %v, want seq 1, 2, 3", seqs(got))
	}
	if h.take(&batch{partition: 0, seq: 5}, now.Add(time.Second)) {
		t.Fatal("the hold must be empty once released")
	}
}

// TestRetryHoldStopsAtWaitingBatch: a later retried batch that still waits
// keeps itself and what follows it held.
func TestRetryHoldStopsAtWaitingBatch(t *testing.T) {
	h := newRetryHold(func(time.Duration) {})
	now := time.Unix(1000, 0)
	a := &batch{seq: 1, notBefore: now.Add(10 * time.Millisecond)}
	b := &batch{seq: 2, notBefore: now.Add(200 * time.Millisecond)}
	c := &batch{seq: 3}
	for _, x := range []*batch{a, b, c} {
		h.take(x, now)
	}
	if got := h.due(now.Add(50*time.Millisecond), nil); len(got) != 1 || got[0] != a {
		t.Fatalf("released %v, want seq 1 only", seqs(got))
	}
	if got := h.due(now.Add(200*time.Millisecond), nil); len(got) != 2 || got[0] != b || got[1] != c {
		t.Fatalf("released %v, want seq 2, 3", seqs(got))
	}
}

func seqs(bs []*batch) []uint64 {
	var out []uint64
	for _, b := range bs {
		out = append(out, b.seq)
	}
	return out
}
