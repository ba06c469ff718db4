package consume

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
)

// errConsumerClosed is the cause of a partition consumer that stopped
// without reporting why.
var errConsumerClosed = errors.New("its consumer closed")

// runPartitions reads every planned partition with its own sarama
// PartitionConsumer until the engine stops or ctx ends.
func runPartitions(ctx context.Context, client sarama.Client, pl *plan, e *engine) error {
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return fmt.Errorf("new consumer: %w", err)
	}
	defer consumer.Close()
	e.assign(pl.parts, pl.stops)
	var wg sync.WaitGroup
	for _, tp := range pl.parts {
		st, done := e.start(tp, pl.start[tp], nil, nil)
		if done {
			continue
		}
		pc, err := consumer.ConsumePartition(tp.topic, tp.partition, pl.start[tp])
		if err != nil {
			e.stop(StopError, fmt.Errorf("consume %s from offset %d: %w", tp, pl.start[tp], err))
			break
		}
		wg.Go(func() { e.pumpPartition(ctx, st, pc) })
	}
	wg.Wait()
	return nil
}

// pumpPartition pumps one PartitionConsumer and closes it. A consumer
// that stops by itself (its offset fell out of range, the topic was
// deleted) ends the run with an error.
func (e *engine) pumpPartition(ctx context.Context, st *partState, pc sarama.PartitionConsumer) {
	done, lastErr := e.pump(ctx, st, pc.Messages(), pc.Errors())
	_ = pc.Close()
	if !done && ctx.Err() == nil {
		e.stop(StopError, fmt.Errorf("partition %s stopped: %w", st.tp, errOr(lastErr, errConsumerClosed)))
	}
}
