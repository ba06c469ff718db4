package verify

import (
	"context"

	"golang.org/x/time/rate"
)

// limiter paces the producers to the workload's rate; a nil limiter lets
// them write as fast as they can.
type limiter struct{ l *rate.Limiter }

// newLimiter returns a limiter of perSecond values per second shared by
// all producers, or nil for no limit.
func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		return nil
	}
	burst := max(1, int(perSecond/20))
	return &limiter{l: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// wait blocks until the next value may be written, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	return l.l.Wait(ctx)
}
