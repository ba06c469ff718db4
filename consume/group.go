package consume

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// runGroup reads as a member of opts.Group until the engine stops or ctx
// ends, rejoining after every rebalance and, unless ExitOnError, after
// losing the cluster, and leaves the group at the end.
func runGroup(ctx context.Context, client sarama.Client, pl *plan, e *engine) error {
	g, err := sarama.NewConsumerGroupFromClient(e.opts.Group, client)
	if err != nil {
		return fmt.Errorf("join group %s: %w", e.opts.Group, err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for err := range g.Errors() {
			e.onError(err)
		}
	})
	h := &groupHandler{e: e, pl: pl, g: g}
	for ctx.Err() == nil {
		if err = g.Consume(ctx, e.opts.Topics, h); err == nil {
			continue
		}
		if !conn.IsUnreachable(err) || e.opts.ExitOnError {
			break
		}
		// The same policy as partition mode: warn and keep trying.
		e.onError(err)
		if !pause(ctx, rejoinBackoff) {
			break
		}
	}
	cerr := g.Close()
	wg.Wait()
	switch {
	case ctx.Err() != nil:
		return nil
	case err != nil && !errors.Is(err, sarama.ErrClosedConsumerGroup):
		return fmt.Errorf("group %s: %w", e.opts.Group, err)
	case cerr != nil:
		return fmt.Errorf("leave group %s: %w", e.opts.Group, cerr)
	}
	return nil
}

// rejoinBackoff is the wait before a member that lost the cluster tries to
// join again.
const rejoinBackoff = time.Second

// pause waits for d and reports whether ctx is still live.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// groupHandler is the sarama ConsumerGroupHandler of a run.
type groupHandler struct {
	e  *engine
	pl *plan
	g  sarama.ConsumerGroup
}

// Setup assigns the session's claims.
func (h *groupHandler) Setup(s sarama.ConsumerGroupSession) error {
	var tps []offsets.TopicPartition
	for topic, ps := range s.Claims() {
		for _, p := range ps {
			tps = append(tps, offsets.TopicPartition{Topic: topic, Partition: p})
		}
	}
	h.e.assign(tps, h.pl.stops)
	return nil
}

// Cleanup flushes and marks what the session wrote before sarama commits
// and releases it.
func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error {
	h.e.unassign()
	return nil
}

// ConsumeClaim reads one claimed partition. Once the partition is done it
// pauses it and holds the claim until the session ends, since a claim
// returning early would end the session for every partition.
func (h *groupHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	tp := offsets.TopicPartition{Topic: c.Topic(), Partition: c.Partition()}
	var mark func(int64)
	var commit func()
	if h.e.opts.Commit != setting.CommitNone {
		mark = func(o int64) { s.MarkOffset(tp.Topic, tp.Partition, o, "") }
		commit = s.Commit
	}
	st, done := h.e.start(tp, h.startOffset(tp, c.InitialOffset()), mark, commit)
	if !done {
		done, _ = h.e.pump(s.Context(), st, c.Messages(), nil)
	}
	if done {
		h.g.Pause(map[string][]int32{tp.Topic: {tp.Partition}})
		for range c.Messages() { // dropped: neither written nor marked
		}
	}
	return nil
}

// startOffset turns sarama's start sentinels for a partition without a
// committed offset into the offsets the plan found at start.
func (h *groupHandler) startOffset(tp offsets.TopicPartition, initial int64) int64 {
	switch initial {
	case sarama.OffsetOldest:
		return h.pl.earliest[tp]
	case sarama.OffsetNewest:
		return h.pl.end[tp]
	}
	return initial
}
