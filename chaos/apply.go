package chaos

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Spell joins faults in the --faults spelling ParseFaults reads back.
func Spell(faults []Fault) string {
	parts := make([]string, len(faults))
	for i, f := range faults {
		parts[i] = f.String()
	}
	return strings.Join(parts, ",")
}

// Apply puts faults on the engine e: for good when sched is nil, or else
// on the schedule sched describes (its Faults are faults), run until ctx
// ends. What it does is logged to log, one line each. The returned wait
// blocks until the schedule has healed its open window.
func Apply(ctx context.Context, e *Engine, faults []Fault, sched *ScheduleOptions, log io.Writer) (wait func(), err error) {
	if sched == nil {
		for _, f := range faults {
			id, err := e.Set(f)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(log, "chaos: set %s: %s\n", id, f.WithDefaults())
		}
		return func() {}, nil
	}
	opts := *sched
	opts.Faults = faults
	s, err := NewSchedule(opts)
	if err != nil {
		return nil, err
	}
	r := &Runner{Network: e, Log: log}
	if err := r.Check(faults); err != nil {
		return nil, err
	}
	replay := ""
	if opts.Replay != nil {
		replay = " (" + opts.Replay(opts.Seed) + ")"
	}
	fmt.Fprintf(log, "chaos: schedule of %s, a window of %v about every %v; seed %d%s\n",
		Spell(faults), opts.Duration, opts.Interval, opts.Seed, replay)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tl, err := r.Run(ctx, s, 0)
		if err != nil {
			fmt.Fprintf(log, "warning: %v\n", err)
		}
		fmt.Fprintf(log, "chaos: %d fault windows run; seed %d\n", len(tl.Events), tl.Seed)
	}()
	return func() { <-done }, nil
}
