package cmd

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/clusterinfo"
	"github.com/kq-dev/kq/internal/conn"
)

// discoverTimeout bounds the proxy's first question to the cluster.
const discoverTimeout = 5 * time.Second

// discoverNodes asks the cluster, through the proxy at bootstrap, for its
// brokers, so the proxy maps them before clients come and a schedule can
// pick targets. It returns their ids; on failure it warns and returns
// none.
func discoverNodes(ctx context.Context, cf conn.Factory, bootstrap string, log io.Writer) []int32 {
	cf.Profile.Brokers = []string{bootstrap}
	cf.Profile.Timeout = min(cf.Profile.WithDefaults().Timeout, discoverTimeout)
	cf.Tweak = func(c *sarama.Config) { c.Metadata.Retry.Max = 1 }
	done := make(chan []int32, 1)
	go func() {
		info, err := clusterinfo.Describe(cf)
		if err != nil {
			fmt.Fprintf(log, "warning: cannot ask the cluster for its brokers yet (%v); they are mapped as clients find them\n", err)
		}
		var ids []int32
		for _, b := range info.Brokers {
			ids = append(ids, b.ID)
		}
		done <- ids
	}()
	select {
	case ids := <-done:
		return ids
	case <-ctx.Done():
		return nil
	}
}

// startFaults applies the faults: for good, or on a schedule running until
// ctx ends. The returned wait blocks until the schedule has healed its
// open window.
func (o *ChaosProxyOptions) startFaults(ctx context.Context, e *chaos.Engine, faults []chaos.Fault, nodes []int32, log io.Writer) (wait func(), err error) {
	if !o.Schedule {
		for _, fl := range faults {
			id, err := e.Set(fl)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(log, "chaos: set %s: %s\n", id, fl.WithDefaults())
		}
		return func() {}, nil
	}
	sched, err := chaos.NewSchedule(chaos.ScheduleOptions{
		Faults: faults, Interval: o.FaultInterval, Duration: o.FaultDuration, Seed: o.Seed, Nodes: nodes,
	})
	if err != nil {
		return nil, err
	}
	r := &chaos.Runner{Network: e, Log: log}
	if err := r.Check(faults); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "chaos: schedule of %s, a window of %v about every %v; seed %d (--seed %d replays it)\n",
		spellFaults(faults), o.FaultDuration, o.FaultInterval, o.Seed, o.Seed)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tl, err := r.Run(ctx, sched, 0)
		if err != nil {
			fmt.Fprintf(log, "warning: %v\n", err)
		}
		fmt.Fprintf(log, "chaos: %d fault windows run; seed %d\n", len(tl.Events), tl.Seed)
	}()
	return func() { <-done }, nil
}

// spellFaults joins faults in the --faults spelling.
func spellFaults(faults []chaos.Fault) string {
	s := ""
	for i, fl := range faults {
		if i > 0 {
			s += ","
		}
		s += fl.String()
	}
	return s
}

// lockedWriter serialises writes from the proxy's goroutines, the
// schedule and the command to one stream.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
