package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// healTimeout bounds the healing of one window after the run was
// interrupted.
const healTimeout = 30 * time.Second

// Runner applies a [Schedule]'s windows at their times and heals each at
// its end, and everything still applied when the run is interrupted. Each
// layer's faults go to their injector; a layer left nil cannot be
// scheduled (see [Runner.Check]).
type Runner struct {
	// Network applies network faults; usually an *Engine.
	Network Injector
	// Broker applies broker faults; usually the built-in *broker.Broker.
	Broker BrokerTarget
	// Client crashes kq's own clients.
	Client ClientTarget
	// Exec runs the exec fault's commands.
	Exec *ExecFault
	// Log receives a line as each window opens and closes; nil discards.
	Log io.Writer
}

// Check returns a usage error naming the first fault no injector of the
// runner can apply.
func (r *Runner) Check(faults []Fault) error {
	for _, f := range faults {
		if _, err := r.injector(f.Kind); err != nil {
			return err
		}
	}
	return nil
}

// injector returns the injector for a kind's layer.
func (r *Runner) injector(k Kind) (Injector, error) {
	switch l := k.Layer(); {
	case l == LayerNetwork && r.Network != nil:
		return r.Network, nil
	case l == LayerBroker && r.Broker != nil:
		return brokerInjector{r.Broker}, nil
	case l == LayerClient && r.Client != nil:
		return clientInjector{r.Client}, nil
	case l == LayerExec && r.Exec != nil && (r.Exec.Start != "" || r.Exec.End != ""):
		return r.Exec, nil
	case l == LayerBroker:
		return nil, kqerr.Usagef("fault %s needs the built-in broker", k)
	case l == LayerExec:
		return nil, kqerr.Usagef("fault exec needs a start or end command")
	case l == 0:
		return nil, kqerr.Usagef("unknown fault %q", k)
	}
	return nil, kqerr.Usagef("fault %s cannot be applied here (no %s injector)", k, k.Layer())
}

// Run applies the windows of s that end within run (every window, until
// ctx ends, when run is 0), each at its time, and returns the timeline of
// what happened. When ctx ends, the open window is healed at once and the
// run stops. Injection and healing errors are recorded in the timeline and
// returned joined; they do not stop the run.
func (r *Runner) Run(ctx context.Context, s *Schedule, run time.Duration) (Timeline, error) {
	tl := Timeline{Seed: s.Seed()}
	start := time.Now()
	var errs []error
	for w := range s.All() {
		if (run > 0 && w.End > run) || !sleepUntil(ctx, start.Add(w.Start)) {
			break
		}
		ev, err := r.window(ctx, start, w)
		tl.Events = append(tl.Events, ev)
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return tl, errors.Join(errs...)
}

// window applies one window, waits for its end (or ctx), and heals it.
func (r *Runner) window(ctx context.Context, start time.Time, w Window) (Event, error) {
	ev := Event{Window: w.Index, Kind: w.Fault.Kind, Fault: w.Fault.String(), Target: w.Fault.Target,
		PlannedStart: w.Start, PlannedEnd: w.End, Start: time.Now()}
	r.logf("chaos: %s start\n", w)
	heal, err := r.inject(ctx, w.Fault)
	if err != nil {
		ev.Error = err.Error()
		ev.End = time.Now()
		r.logf("chaos: %s failed: %v\n", w, err)
		return ev, fmt.Errorf("window %d (%s): %w", w.Index, w.Fault.Kind, err)
	}
	ev.Interrupted = !sleepUntil(ctx, start.Add(w.End))
	if heal != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healTimeout)
		defer cancel()
		err = heal(hctx)
	}
	ev.End = time.Now()
	r.logf("chaos: %s end\n", w)
	if err != nil {
		ev.HealError = err.Error()
		return ev, fmt.Errorf("window %d (%s) heal: %w", w.Index, w.Fault.Kind, err)
	}
	return ev, nil
}

func (r *Runner) inject(ctx context.Context, f Fault) (Heal, error) {
	inj, err := r.injector(f.Kind)
	if err != nil {
		return nil, err
	}
	return inj.Inject(ctx, f)
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format, args...)
	}
}

// sleepUntil waits until t; it reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
