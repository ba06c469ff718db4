package chaos

import (
	"errors"
	"sync"

	"github.com/twmb/franz-go/pkg/kbin"

	"github.com/kq-dev/kq/internal/wire"
)

// maxInFlight bounds the requests a link tracks per connection; Kafka
// clients keep a handful in flight, so more means a broken or hostile peer.
const maxInFlight = 4096

// errTooManyInFlight is returned when a connection exceeds maxInFlight.
var errTooManyInFlight = errors.New("chaos: too many requests in flight on one connection")

// pending is a request waiting for its response, with the response faults
// chosen for it when the request went through.
type pending struct {
	key, version int16
	// copies is how many responses the broker will send (2 for a
	// duplicated request); only the first is forwarded.
	copies int
	// forwarded is set once one response went to the client.
	forwarded bool
	// drop swallows the response (drop-response).
	drop bool
	// errCode, when not 0, is set on every partition of the response.
	errCode int16
}

// inflight maps correlation ids of one connection to their pending
// requests. It is safe for concurrent use by the two pumps of a link.
type inflight struct {
	mu sync.Mutex
	m  map[int32]*pending
}

func newInflight() *inflight { return &inflight{m: map[int32]*pending{}} }

// add records a request that expects a response.
func (f *inflight) add(corr int32, p *pending) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= maxInFlight {
		return errTooManyInFlight
	}
	f.m[corr] = p
	return nil
}

// answer looks up the request a response answers. forward is false for
// every copy after the first of a duplicated request's response. ok is false
// for a correlation id that was never recorded.
func (f *inflight) answer(corr int32) (p pending, forward, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.m[corr]
	if !ok {
		return pending{}, false, false
	}
	e.copies--
	if e.copies <= 0 {
		delete(f.m, corr)
	}
	forward = !e.forwarded
	e.forwarded = true
	return *e, forward, true
}

// expectsResponse reports whether the broker answers the request: every
// request except Produce with acks=0. The acks field is read in place (it
// follows the transactional id from v3 on); a Produce body too short for it
// is assumed to expect a response.
func expectsResponse(h wire.RequestHeader, frame []byte) bool {
	if h.Key != 0 || !h.Known {
		return true
	}
	r := kbin.Reader{Src: frame[h.BodyOffset:]}
	switch {
	case h.Version >= 3 && h.Flexible:
		r.CompactNullableString()
	case h.Version >= 3:
		r.NullableString()
	}
	acks := r.Int16()
	return !r.Ok() || acks != 0
}
