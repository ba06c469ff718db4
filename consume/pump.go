package consume

import (
	"context"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/gather"
)

// maxBatch bounds the records handed to the engine at once.
const maxBatch = 512

// pump hands one partition's records to the engine in batches until the
// partition or the run is done (true), ctx ends or msgs closes (false).
// Errors from errs (nil in group mode, where the group reports them) go to
// OnError; the last one is returned with closed for a channel that closed
// on its own.
func (e *engine) pump(ctx context.Context, st *partState, msgs <-chan *sarama.ConsumerMessage, errs <-chan *sarama.ConsumerError) (done bool, lastErr error) {
	recs := make([]*sarama.ConsumerMessage, 0, maxBatch)
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
			recs = gather.Buffered(msgs, append(recs[:0], m), maxBatch)
			if e.deliver(st, recs, len(msgs) > 0) {
				return true, lastErr
			}
		}
	}
}
