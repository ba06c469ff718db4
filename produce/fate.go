package produce

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

// A record's fate after its last attempt: NOT_ENOUGH_REPLICAS means the
// leader refused the write before appending it (the ISR was smaller than
// min.insync.replicas), so a batch refused so at every attempt was
// surely not written and is reported failed, with the broker's error,
// when the flush or delivery timeout ends its retries. Any attempt that
// ended without such proof (a timeout, a cut connection,
// NOT_ENOUGH_REPLICAS_AFTER_APPEND: appended, then the ISR shrank) leaves
// it in doubt.

// maybeWrittenErrs are the answers after which a write may be in the log.
var maybeWrittenErrs = []error{
	sarama.ErrRequestTimedOut, sarama.ErrNotEnoughReplicasAfterAppend, sarama.ErrNetworkException,
	sarama.ErrIncompleteResponse,
}

// noteAnswer records what err, the answer to an attempt of b, says of
// whether b may have been written.
func noteAnswer(b *batch, err error) {
	switch {
	case b.maybeWritten.Load():
	case errors.Is(err, sarama.ErrNotEnoughReplicas):
		b.refused.Store(&err)
	case isMaybeWritten(err):
		b.maybeWritten.Store(true)
	}
}

func isMaybeWritten(err error) bool {
	for _, e := range maybeWrittenErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sending marks b in flight: an attempt's answer is unknown until it
// comes.
func sending(b *batch) { b.refused.Store(nil) }

// lostConnection marks b as maybe written: its request may have reached
// the broker.
func lostConnection(b *batch) {
	b.refused.Store(nil)
	b.maybeWritten.Store(true)
}

// abandonedErr is the error of a batch still unsettled at the flush
// timeout: the broker's refusal when every attempt was refused before the
// append, else in doubt.
func abandonedErr(b *batch) error {
	if p := b.refused.Load(); p != nil && !b.maybeWritten.Load() {
		return fmt.Errorf("refused before the append at every attempt until the flush timeout, so not written: %w", *p)
	}
	return fmt.Errorf("no answer before the flush timeout: %w", ErrInDoubt)
}

// refusedErr is the error of b refused by the broker with err, a refusal
// no retry can change. A batch of several records refused as too large
// may hold only small records: the topic's max.message.bytes is below the
// batch size, which the error then names (kq does not split the batch, as
// librdkafka does not; the Java client does).
func refusedErr(b *batch, err error) error {
	if errors.Is(err, sarama.ErrMessageSizeTooLarge) && len(b.recs) > 1 {
		return kqerr.SettingErrorf("%w (a batch of %d records, %d bytes: the topic's max.message.bytes is below that; lower {batch bytes})", err, len(b.recs), b.size)
	}
	return err
}

// retriesSpentErr is the error of a batch whose last allowed attempt
// ended in err: in doubt when an attempt may have written it.
func retriesSpentErr(b *batch, err error) error {
	return doubtful(b, fmt.Errorf("%w (no retries left after attempt %d)", err, b.attempts+1))
}

// gaveUpErr is the error of a batch whose retries ran out of delivery
// time after err: in doubt when an attempt may have written it.
func gaveUpErr(b *batch, err error, timeout time.Duration) error {
	return doubtful(b, fmt.Errorf("%w (gave up after %d attempts in %v)", err, b.attempts+1, timeout))
}

// doubtful marks gave, b's error after its last attempt, in doubt when an
// attempt may have written b.
func doubtful(b *batch, gave error) error {
	if b.maybeWritten.Load() {
		return fmt.Errorf("%w: %w", gave, ErrInDoubt)
	}
	return gave
}
