package produce_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kq-dev/kq/produce"
)

// batchRecorder is a BatchReporter: Acked must never be called.
type batchRecorder struct {
	recorder
	calls, single atomic.Int64
}

func (r *batchRecorder) Acked(produce.Ack) { r.single.Add(1) }

func (r *batchRecorder) AckedBatch(acks []produce.Ack) {
	r.calls.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, acks...) // copies: acks is the producer's
}

// TestBatchReporterTakesAcksTogether: a BatchReporter gets every ack once,
// a batch's in one call, and never through Acked.
func TestBatchReporterTakesAcksTogether(t *testing.T) {
	e := newEnv(t, 3)
	const n = 3000
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "v%d\n", i)
	}
	rec := &batchRecorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := produce.Run(ctx, e.f, e.opts, lines(in.String()), rec)
	if err != nil || res.Acked != n {
		t.Fatalf("acked %d of %d: %v", res.Acked, n, err)
	}
	if s := rec.single.Load(); s != 0 {
		t.Errorf("Acked called %d times on a BatchReporter", s)
	}
	seen := map[int64]bool{}
	for _, a := range rec.acks {
		if seen[a.Pos.Index] {
			t.Fatalf("record %d acked twice", a.Pos.Index)
		}
		seen[a.Pos.Index] = true
	}
	if len(seen) != n {
		t.Errorf("%d records reported acked, want %d", len(seen), n)
	}
	if c := rec.calls.Load(); c == 0 || c > n/10 {
		t.Errorf("%d AckedBatch calls for %d records: not a batch's at a time", c, n)
	}
}
