package produce

import (
	"slices"
	"time"
)

// retryHold keeps each partition's batches in the order they were sealed
// while one of them waits out its retry backoff. Without it a batch sealed
// after a failed one would go to the new leader first, and a leader change
// would reorder the partition (as it does in clients that retry with
// several requests in flight and no idempotence). Batches of one partition
// that were in flight together can still be reordered when their failures
// arrive after the first of them was sent again; only idempotence rules
// that out. The dispatcher goroutine owns a retryHold.
type retryHold struct {
	parts map[int32][]*batch // by partition, in seal order; the head waits
	wake  func(after time.Duration)
}

// newRetryHold returns a hold that calls wake to be handed the wake-up
// batch again once a held batch's backoff has passed.
func newRetryHold(wake func(after time.Duration)) *retryHold {
	return &retryHold{parts: map[int32][]*batch{}, wake: wake}
}

// take holds b if it must wait (its own backoff, or an earlier batch of
// its partition that waits) and reports whether it did.
func (h *retryHold) take(b *batch, now time.Time) bool {
	held := h.parts[b.partition]
	if len(held) == 0 && !b.notBefore.After(now) {
		return false
	}
	i, _ := slices.BinarySearchFunc(held, b.seq, func(x *batch, seq uint64) int {
		switch {
		case x.seq < seq:
			return -1
		case x.seq > seq:
			return 1
		}
		return 0
	})
	h.parts[b.partition] = slices.Insert(held, i, b)
	if b.notBefore.After(now) {
		h.wake(b.notBefore.Sub(now))
	}
	return true
}

// due removes and returns, in order, the held batches that may go now:
// per partition, those before the first that still waits.
func (h *retryHold) due(now time.Time, dst []*batch) []*batch {
	for p, held := range h.parts {
		n := 0
		for n < len(held) && !held[n].notBefore.After(now) {
			n++
		}
		dst = append(dst, held[:n]...)
		if n == len(held) {
			delete(h.parts, p)
		} else {
			h.parts[p] = slices.Delete(held, 0, n)
		}
	}
	return dst
}
