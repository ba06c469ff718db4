package consume

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// Run consumes as opts say, writing records to sink, until a stop
// condition holds or ctx ends, and returns what it did. The sink is
// flushed before Run returns, and in group mode every record written is
// committed (unless --no-commit) before the member leaves.
//
// Errors: invalid options match kqerr.ErrUsage; a cluster that cannot be
// reached matches kqerr.ErrUnreachable or kqerr.ErrAuth; a cancelled ctx
// matches kqerr.ErrInterrupted (the Stats are still valid); a missing
// topic or partition is a plain error.
func Run(ctx context.Context, f conn.Factory, opts Options, sink Sink) (Stats, error) {
	if err := opts.Validate(); err != nil {
		return Stats{}, err
	}
	opts = opts.withDefaults()
	client, err := f.Client(opts.configure)
	if err != nil {
		return Stats{}, err
	}
	defer client.Close()
	p := &prober{client: client, iso: opts.Isolation}
	pl, err := makePlan(client, &opts)
	if err != nil {
		return Stats{}, f.Classify(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	e := newEngine(opts, sink, cancel)
	if !opts.bounded() {
		p = nil
	}
	began := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() { e.watch(runCtx, p) })
	if u := opts.Until; u != nil && u.Kind == Timestamp && u.Time.After(began) {
		wg.Go(func() { e.untilTimeBound(runCtx, pl, u.Time) })
	}
	if opts.Group != "" {
		err = runGroup(runCtx, client, pl, e)
	} else {
		err = runPartitions(runCtx, client, pl, e)
	}
	cancel()
	wg.Wait()
	return result(ctx, f, e, began, err)
}

// result finishes the engine and picks the error to return.
func result(ctx context.Context, f conn.Factory, e *engine, began time.Time, runErr error) (Stats, error) {
	stats, err := e.finish(time.Since(began))
	switch {
	case err != nil:
		return stats, f.Classify(err)
	case runErr != nil:
		stats.Stopped = StopError
		return stats, f.Classify(runErr)
	case stats.Stopped == "" && ctx.Err() != nil:
		stats.Stopped = StopInterrupted
		return stats, fmt.Errorf("consume: %w", kqerr.ErrInterrupted)
	}
	return stats, nil
}

// configure sets the consumer side of the sarama configuration.
func (o *Options) configure(c *sarama.Config) {
	c.Consumer.IsolationLevel = o.Isolation.Sarama()
	c.Consumer.Return.Errors = true
	c.ChannelBufferSize = 1024
	if o.bounded() || o.Group != "" {
		// Probes and synchronous commits share connections with the fetch
		// long-poll and wait behind it.
		c.Consumer.MaxWaitTime = 100 * time.Millisecond
	}
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	if o.From.Kind == Latest {
		c.Consumer.Offsets.Initial = sarama.OffsetNewest
	}
	c.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{o.Balance.strategy()}
	c.Consumer.Group.Heartbeat.Interval = time.Second
}
