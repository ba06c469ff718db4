package consume

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
)

// errConsumerClosed is the cause of a partition consumer that stopped
// without reporting why.
var errConsumerClosed = errors.New("its consumer closed")

// fetchRetryBackoff is the pause before a partition's next fetch after a
// retriable error (a leader change, a lost connection).
const fetchRetryBackoff = 250 * time.Millisecond

// runPartitions reads every planned partition until the engine stops or
// ctx ends: with Fetch requests of its own per partition (package
// internal/fetch), or, for Kafka versions before 0.11 (no Fetch v4), with a
// sarama PartitionConsumer per partition.
func runPartitions(ctx context.Context, client sarama.Client, pl *plan, e *engine) error {
	direct := client.Config().Version.IsAtLeast(sarama.V0_11_0_0)
	var consumer sarama.Consumer
	if !direct {
		var err error
		if consumer, err = sarama.NewConsumerFromClient(client); err != nil {
			return fmt.Errorf("new consumer: %w", err)
		}
		defer consumer.Close()
	}
	e.assign(pl.parts, pl.stops)
	var wg sync.WaitGroup
	for _, tp := range pl.parts {
		st, done := e.start(tp, pl.start[tp], nil, nil)
		if done {
			continue
		}
		if direct {
			r := fetch.NewReader(client, fetch.ReaderConfig{Topic: tp.Topic, Partition: tp.Partition, Offset: pl.start[tp],
				Isolation: e.opts.Isolation.Sarama(), MaxWait: client.Config().Consumer.MaxWaitTime, ReuseBuffer: true})
			wg.Go(func() { defer r.Close(); e.fetchPartition(ctx, st, r) })
			continue
		}
		pc, err := consumer.ConsumePartition(tp.Topic, tp.Partition, pl.start[tp])
		if err != nil {
			e.stop(StopError, fmt.Errorf("consume %s from offset %d: %w", tp, pl.start[tp], err))
			break
		}
		wg.Go(func() { e.pumpPartition(ctx, st, pc) })
	}
	wg.Wait()
	return nil
}

// fetchPartition reads one partition with r and hands the engine its
// records in chunks of up to maxBatch as the fetch is walked, until the
// partition or the run is done or ctx ends. The messages live in a slab
// reused from chunk to chunk (the engine writes them before deliver
// returns, and the slab is cleared after, so it holds no fetch response
// alive), so a record costs no allocation and memory stays bounded per
// partition whatever the fetch size. Retriable errors go to OnError and
// are retried after a pause; others end the run.
func (e *engine) fetchPartition(ctx context.Context, st *partState, r *fetch.Reader) {
	slab := make([]sarama.ConsumerMessage, 0, maxBatch)
	ptrs := make([]*sarama.ConsumerMessage, 0, maxBatch)
	done := false
	deliver := func(more bool) {
		if len(slab) == 0 || done {
			return
		}
		ptrs = ptrs[:0]
		for i := range slab {
			ptrs = append(ptrs, &slab[i])
		}
		done = e.deliver(st, ptrs, more)
		clear(slab)
		slab = slab[:0]
	}
	visit := func(rec *fetch.Record) {
		if done {
			return
		}
		if len(slab) == cap(slab) {
			deliver(true)
		}
		slab = append(slab, sarama.ConsumerMessage{
			Topic: st.tp.Topic, Partition: st.tp.Partition, Offset: rec.Offset, Key: rec.Key, Value: rec.Value,
			Headers: rec.Headers, Timestamp: rec.Timestamp, BlockTimestamp: rec.BlockTimestamp,
		})
	}
	for ctx.Err() == nil && !done {
		err := r.Next(visit)
		deliver(false)
		if err != nil && !done {
			if !fetch.Retriable(err) {
				e.stop(StopError, fmt.Errorf("partition %s: cannot read past offset %d: %w", st.tp, r.Offset(), err))
				return
			}
			e.onError(&sarama.ConsumerError{Topic: st.tp.Topic, Partition: st.tp.Partition, Err: err})
			sleep(ctx, fetchRetryBackoff)
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// pumpPartition pumps one PartitionConsumer and closes it. A consumer
// that stops by itself (its offset fell out of range, the topic was
// deleted) ends the run with an error.
func (e *engine) pumpPartition(ctx context.Context, st *partState, pc sarama.PartitionConsumer) {
	done, lastErr := e.pump(ctx, st, pc.Messages(), pc.Errors())
	_ = pc.Close()
	if !done && ctx.Err() == nil {
		e.stop(StopError, fmt.Errorf("partition %s stopped: %w", st.tp, cmp.Or(lastErr, errConsumerClosed)))
	}
}
