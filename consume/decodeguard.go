package consume

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
)

// onError passes a non-fatal error to OnError, warns or stops when it says
// the cluster cannot be reached (see [engine.unreachable]), and ends the
// run when a
// partition's fetch could not be decoded. sarama moves such a partition's
// position past what it had parsed before the failure and drops those
// records, so going on would silently lose records (and keep -e waiting
// for them forever).
func (e *engine) onError(err error) {
	if e.opts.OnError != nil {
		e.opts.OnError(err)
	}
	if conn.IsUnreachable(err) {
		e.unreachable(err)
		return
	}
	var ce *sarama.ConsumerError
	if !errors.As(err, &ce) || !isDecodeError(ce.Err) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.parts[offsets.TopicPartition{Topic: ce.Topic, Partition: ce.Partition}]
	if st == nil || !st.started || e.stopped {
		return
	}
	e.stopLocked(StopError, fmt.Errorf("partition %s: cannot decode the records after offset %d, so some may have been skipped: %w",
		st.tp, st.next-1, ce.Err))
}

func isDecodeError(err error) bool {
	var pde sarama.PacketDecodingError
	return errors.Is(err, sarama.ErrInsufficientData) || errors.As(err, &pde)
}
