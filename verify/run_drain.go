package verify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kq-dev/kq/internal/setting"
)

// Log-end settling: the end of the input log is read until it stops
// moving, which matters with acks=0 (sends "succeed" before the broker has
// the records) and for requests of crashed producers still on the wire.
const (
	settleQuiet       = 300 * time.Millisecond
	settleQuietAcks0  = 2 * time.Second
	drainPollInterval = 50 * time.Millisecond
)

// drain waits until the consumer group (or the copiers' group) has
// committed the end of every input partition: everything written has then
// been processed (or, committing first, skipped past).
func (r *run) drain(ctx context.Context, ctl *control) error {
	ends, err := r.settledEnds(ctx, ctl)
	if err != nil {
		return err
	}
	group := r.ids.group
	if r.set.Pipeline() {
		group = r.ids.copyGroup
	}
	var got []int64
	caughtUp := func() bool {
		c, err := ctl.committed(group, r.ids.input, partitions(len(ends)))
		if err != nil {
			return false
		}
		got = c
		for p := range ends {
			// An empty partition (end 0) has nothing to commit.
			if c[p] < ends[p] && ends[p] > 0 {
				return false
			}
		}
		return true
	}
	if ok := pollUntil(ctx, r.drainTimeout, caughtUp); !ok && ctx.Err() == nil {
		return fmt.Errorf("the %s did not catch up within %v: committed offsets %v, log ends %v", r.readerNoun(), r.drainTimeout, got, ends)
	}
	return ctx.Err()
}

// settledEnds returns the input's high watermarks once they have not
// moved for a quiet spell.
func (r *run) settledEnds(ctx context.Context, ctl *control) ([]int64, error) {
	quiet := settleQuiet
	if r.set.Acks == setting.AcksNone {
		quiet = settleQuietAcks0
	}
	var ends []int64
	var lastErr error
	stableSince := time.Now()
	settled := func() bool {
		hw, err := ctl.highWatermarks(r.ids.input, r.set.Workload.Partitions)
		if err != nil {
			lastErr = err
			return false
		}
		if !slices.Equal(hw, ends) {
			ends, stableSince = hw, time.Now()
		}
		return time.Since(stableSince) >= quiet
	}
	if !pollUntil(ctx, r.drainTimeout, settled) && ctx.Err() == nil {
		return nil, fmt.Errorf("the input log end did not settle within %v: %v", r.drainTimeout, lastErr)
	}
	return ends, ctx.Err()
}

// pollUntil checks cond every drainPollInterval until it holds, timeout
// passes or ctx ends; it reports whether cond held.
func pollUntil(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) || !sleepCtx(ctx, drainPollInterval) {
			return false
		}
	}
	return true
}
