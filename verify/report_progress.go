package verify

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/chaos"
)

// ProgressInterval is how often a run reports its [Snapshot].
const ProgressInterval = 250 * time.Millisecond

// Progress receives a run's status while it runs.
type Progress func(Snapshot)

// Snapshot is the state of a running verification.
type Snapshot struct {
	// Phase is the current phase (see the Phase constants).
	Phase string
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// Sent counts the values handed to the producers so far.
	Sent uint64
	// Acked counts the sends acknowledged.
	Acked uint64
	// Failed counts the sends that certainly failed.
	Failed uint64
	// Indeterminate counts the sends whose outcome is unknown.
	Indeterminate uint64
	// Delivered counts the deliveries recorded.
	Delivered uint64
	// Copied counts the records the copiers committed.
	Copied uint64
	// Crashes counts client crashes so far.
	Crashes uint64
	// Faults names the fault windows open now.
	Faults []string
}

// phaseTracker holds the current phase name.
type phaseTracker struct{ v atomic.Value }

func (t *phaseTracker) set(p string) { t.v.Store(p) }

func (t *phaseTracker) get() string {
	p, _ := t.v.Load().(string)
	return p
}

// startProgress calls progress every ProgressInterval until the returned
// stop function is called; stop sends a last status.
func (r *run) startProgress(ctx context.Context, progress Progress, sched *chaos.Schedule) (stop func()) {
	if progress == nil {
		return func() {}
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				progress(r.status(start, sched))
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		progress(r.status(start, sched))
	}
}

func (r *run) status(start time.Time, sched *chaos.Schedule) Snapshot {
	st := Snapshot{
		Phase: r.phase.get(), Elapsed: time.Since(start),
		Sent: r.stats.sent.Load(), Acked: r.stats.acked.Load(), Failed: r.stats.failed.Load(), Indeterminate: r.stats.info.Load(),
		Delivered: r.stats.delivered.Load(), Copied: r.stats.copied.Load(), Crashes: r.stats.crashes.Load(),
	}
	if sched != nil && st.Phase == PhaseProduce {
		st.Faults = openWindows(sched, r.faultsSince())
	}
	return st
}

// openWindows names the schedule's windows open at offset at.
func openWindows(s *chaos.Schedule, at time.Duration) []string {
	var open []string
	for w := range s.All() {
		if w.Start > at {
			break
		}
		if at < w.End {
			open = append(open, w.Fault.String())
		}
	}
	return open
}
