package consume

import (
	"context"

	"github.com/IBM/sarama"
)

// maxBatch bounds the records handed to the engine at once.
const maxBatch = 512

// pump hands one partition's records to the engine in batches until the
// partition or the run is done (true), ctx ends or msgs closes (false).
// Errors from errs (nil in group mode, where the group reports them) go to
// OnError; the last one is returned with closed for a channel that closed
// on its own.
func (e *engine) pump(ctx context.Context, st *partState, msgs <-chan *sarama.ConsumerMessage, errs <-chan *sarama.ConsumerError) (done bool, lastErr error) {
	batch := make([]*sarama.ConsumerMessage, 0, maxBatch)
	for {
		select {
		case <-ctx.Done():
			return false, lastErr
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			lastErr = err
			e.onError(err)
		case m, ok := <-msgs:
			if !ok {
				return false, lastErr
			}
			batch = drain(msgs, append(batch[:0], m))
			if e.deliver(st, batch, len(msgs) > 0) {
				return true, lastErr
			}
		}
	}
}

// drain appends the records waiting in msgs to batch, up to its capacity.
func drain(msgs <-chan *sarama.ConsumerMessage, batch []*sarama.ConsumerMessage) []*sarama.ConsumerMessage {
	for len(batch) < cap(batch) {
		select {
		case m, ok := <-msgs:
			if !ok {
				return batch
			}
			batch = append(batch, m)
		default:
			return batch
		}
	}
	return batch
}
