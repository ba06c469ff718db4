package chaos

import (
	"errors"
	"time"
)

// decodeTimeout bounds one kmsg decode. A well-formed response decodes in
// microseconds; see decodeBounded.
const decodeTimeout = 2 * time.Second

// errDecodeTimeout marks a message kmsg could not decode in time.
var errDecodeTimeout = errors.New("chaos: message took too long to decode")

// readFromer is a kmsg message that can decode itself.
type readFromer interface{ ReadFrom([]byte) error }

// decodeBounded decodes body into msg, giving up after timeout.
//
// kmsg (v1.13.1 to v1.15.0) reads a tagged-field section by looping as many
// times as the tag count says, even after the input ran out, so a few
// garbage bytes announcing four billion tags keep it busy for a minute. The
// decode runs on its own goroutine; on a timeout the caller moves on with an
// error, msg must not be used, and the goroutine finishes on its own (the
// loop is bounded by 2^32 cheap iterations).
func decodeBounded(msg readFromer, body []byte, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- msg.ReadFrom(body) }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errDecodeTimeout
	}
}
