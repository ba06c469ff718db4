package chaos

import (
	"context"
	"time"
)

// decision is what the engine decided for one request frame (or, on an
// opaque connection, one chunk).
type decision struct {
	delay        time.Duration
	reset        bool
	dropRequest  bool
	duplicate    bool
	dropResponse bool
	blackhole    string // id of the blackhole fault that fired
	errCode      int16
}

// onRequest decides the faults for a request of API key on a link to addr.
// key is -1 on an opaque connection: only faults without an API filter
// apply, and none of those that need frames.
func (e *Engine) onRequest(addr string, key int16) decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	var v decision
	for _, r := range e.rules {
		if !perRequest(r.f.Kind) || !e.targetsLocked(r, addr) || !r.f.matchesAPI(key) || (key < 0 && needsFrames(r.f.Kind)) {
			continue
		}
		if r.f.Probability < 1 && e.rng.Float64() >= r.f.Probability {
			continue
		}
		e.applyLocked(r, &v)
		r.hits.Add(1)
	}
	return v
}

// applyLocked adds r's effect to v.
func (e *Engine) applyLocked(r *rule, v *decision) {
	switch r.f.Kind {
	case Latency:
		v.delay += e.jitterLocked(r.f.Delay, r.f.Jitter)
	case Reset:
		v.reset = true
	case DropRequest:
		v.dropRequest = true
	case DuplicateRequest:
		v.duplicate = true
	case DropResponse:
		v.dropResponse = true
	case Blackhole:
		if v.blackhole == "" {
			v.blackhole = r.id
		}
	case ResponseError:
		v.errCode = r.f.ErrorCode
	}
}

// jitterLocked returns d spread uniformly over d ± j, never negative.
func (e *Engine) jitterLocked(d, j time.Duration) time.Duration {
	if j > 0 {
		d += time.Duration(e.rng.Int64N(int64(2*j)+1)) - j
	}
	return max(d, 0)
}

// perRequest reports whether a kind is decided per request (partition and
// bandwidth act on connections and bytes instead).
func perRequest(k Kind) bool { return k != Partition && k != Bandwidth }

// needsFrames reports whether a kind acts on single Kafka frames, so it
// cannot apply to an opaque (TLS) connection.
func needsFrames(k Kind) bool {
	switch k {
	case DropResponse, DropRequest, DuplicateRequest, ResponseError:
		return true
	}
	return false
}

// throttle waits until the bandwidth faults matching a link to addr let n
// bytes of API key pass. It returns early, with nil, when such a fault is
// cleared, and with the context's error when ctx ends.
func (e *Engine) throttle(ctx context.Context, addr string, key int16, n int) error {
	for _, r := range e.limiters(addr, key) {
		r.hits.Add(1)
		if err := waitBytes(ctx, r, n); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) limiters(addr string, key int16) []*rule {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*rule
	for _, r := range e.rules {
		if r.lim != nil && e.targetsLocked(r, addr) && r.f.matchesAPI(key) {
			out = append(out, r)
		}
	}
	return out
}

// waitBytes takes n tokens from r's limiter, in bursts it can grant.
func waitBytes(ctx context.Context, r *rule, n int) error {
	wctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	for n > 0 {
		chunk := min(n, r.lim.Burst())
		if err := r.lim.WaitN(wctx, chunk); err != nil {
			return ctx.Err() // nil when only the fault was cleared
		}
		n -= chunk
	}
	return nil
}
