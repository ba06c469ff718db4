package verify

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kq-dev/kq/verify/history"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/setting"
)

// chaosRunner builds the run's fault runner and schedule; both nil for a
// run without faults. nodes are the broker ids targets are drawn from.
func (r *run) chaosRunner(nodes []int32) (*chaos.Runner, *chaos.Schedule, error) {
	plan := r.set.Faults
	if plan.None() {
		return nil, nil, nil
	}
	sched, err := chaos.NewSchedule(chaos.ScheduleOptions{
		Faults: plan.Faults, Interval: plan.Interval, Duration: plan.Duration, Seed: plan.Seed, Nodes: nodes,
	})
	if err != nil {
		return nil, nil, err
	}
	cr := &chaos.Runner{Client: r.crash, Log: logWriter{r}}
	if r.engine != nil {
		cr.Network = r.engine
	}
	if r.opts.Broker != nil {
		cr.Broker = r.opts.Broker
	}
	if r.opts.ExecStart != "" || r.opts.ExecEnd != "" {
		cr.Exec = &chaos.ExecFault{Start: r.opts.ExecStart, End: r.opts.ExecEnd, Log: r.opts.Log}
	}
	if err := cr.Check(plan.Faults); err != nil {
		return nil, nil, err
	}
	return cr, sched, nil
}

// logWriter passes the runner's lines to the run's log.
type logWriter struct{ r *run }

// Write forwards p to the run's log.
func (w logWriter) Write(p []byte) (int, error) {
	if w.r.opts.Log == nil {
		return len(p), nil
	}
	return w.r.opts.Log.Write(p)
}

var _ io.Writer = logWriter{}

// startFaults runs the schedule until ctx ends, then heals what is in
// force; the timeline arrives on the returned channel.
func (r *run) startFaults(ctx context.Context, runner *chaos.Runner, sched *chaos.Schedule) <-chan chaos.Timeline {
	out := make(chan chaos.Timeline, 1)
	if runner == nil {
		out <- chaos.Timeline{Seed: r.set.Faults.Seed, Events: []chaos.Event{}}
		return out
	}
	go func() {
		tl, err := runner.Run(ctx, sched, 0)
		if err != nil {
			r.logf("faults: %v", err)
		}
		if r.engine != nil {
			r.engine.ClearAll()
		}
		if tl.Events == nil {
			tl.Events = []chaos.Event{}
		}
		out <- tl
	}()
	return out
}

// recordTimeline adds the fault windows to the history, at the times they
// ran; client crashes were recorded as they happened. The end of a broker
// fault window counts, in AtRisk, the unreplicated tails its leader
// changes cut that held acknowledged writes (see tailCuts, check.TailRisk).
func (r *run) recordTimeline(tl chaos.Timeline) {
	cuts := r.tailCuts()
	for _, ev := range tl.Events {
		if ev.Kind.Layer() == chaos.LayerClient {
			continue
		}
		r.record(history.Event{Type: history.TypeFault, Time: ev.Start, Name: string(ev.Kind), Phase: history.PhaseStart, Target: ev.Target})
		if !ev.End.IsZero() {
			e := history.Event{Type: history.TypeFault, Time: ev.End, Name: string(ev.Kind), Phase: history.PhaseEnd, Target: ev.Target}
			if ev.Kind.Layer() == chaos.LayerBroker {
				e.AtRisk = cutsBetween(cuts, ev.Start, ev.End)
			}
			r.record(e)
		}
	}
}

// tailCutter is implemented by the built-in broker with the replication
// model: the unreplicated tails its leader changes cut.
type tailCutter interface{ TailCuts() []broker.TailCut }

// tailCuts returns the tails the run's broker cut that held acknowledged
// writes: with acks=all, only tails cut while the ISR was the leader
// alone can; with acks=1 or all, a tail of the input counts only when a
// send was acknowledged at one of its offsets (one whose answer had not
// gone out shows nothing); with acks=0 every write is acknowledged as it
// is sent, at no known offset, so every tail counts, as does a tail of
// another topic (the copiers' output).
func (r *run) tailCuts() []broker.TailCut {
	tc, ok := r.opts.Broker.(tailCutter)
	if !ok {
		return nil
	}
	cuts := tc.TailCuts()
	if r.set.Acks == setting.AcksAll {
		cuts = slices.DeleteFunc(cuts, func(c broker.TailCut) bool { return !c.Shrunk })
	}
	if a := r.acked; a != nil {
		r.rec.Hold(func() {
			cuts = slices.DeleteFunc(cuts, func(c broker.TailCut) bool {
				return c.Topic == a.topic && !a.anyIn(c.Partition, c.From, c.To)
			})
		})
	}
	return cuts
}

// watchesTails reports whether the run remembers its acknowledged
// offsets for tailCuts: on the built-in broker with the replication
// model, when it names a broker fault and acks=1 or all.
func (r *run) watchesTails() bool {
	_, cuts := r.opts.Broker.(tailCutter)
	return cuts && r.set.Acks != setting.AcksNone &&
		slices.ContainsFunc(r.set.Faults.Faults, func(f chaos.Fault) bool { return f.Kind.Layer() == chaos.LayerBroker })
}

// cutsBetween counts the cuts from start to end.
func cutsBetween(cuts []broker.TailCut, start, end time.Time) int64 {
	var n int64
	for _, c := range cuts {
		if !c.At.Before(start) && !c.At.After(end) {
			n++
		}
	}
	return n
}

// crasher crashes the run's own clients for the fault runner: it picks a
// running client of the kind at random (from the run's seed), kills it, and
// its owner starts a fresh one with the same ids.
type crasher struct {
	r   *run
	mu  sync.Mutex
	rng *rand.Rand
}

// victim is a client the crasher can crash.
type victim interface {
	// crash kills the client, now or at a moment it picks, and records
	// the crash with the work at risk (see [run.crashed]); false when it
	// was not running. share, in [0, 1), is a random draw for victims
	// that pick a moment.
	crash(share float64) bool
	// name names it in the history and the log.
	name() string
}

// Crash crashes one client of the kind. With nothing of the kind running
// it does nothing.
func (c *crasher) Crash(_ context.Context, kind chaos.Kind) error {
	vs := c.victims(kind)
	if len(vs) == 0 {
		return nil
	}
	c.mu.Lock()
	first, share := c.rng.IntN(len(vs)), c.rng.Float64()
	c.mu.Unlock()
	for i := range vs {
		v := vs[(first+i)%len(vs)]
		if v.crash(share) {
			return nil
		}
	}
	return nil
}

func (c *crasher) victims(kind chaos.Kind) []victim {
	var vs []victim
	switch {
	case kind == chaos.CrashProducer:
		for _, p := range c.r.producers {
			vs = append(vs, p)
		}
	case kind == chaos.CrashCopier:
		for _, cp := range c.r.copiers {
			vs = append(vs, cp)
		}
	case kind == chaos.CrashConsumer && c.r.set.Pipeline():
		for _, cp := range c.r.copiers {
			vs = append(vs, copierInput{cp})
		}
	case kind == chaos.CrashConsumer:
		for _, cs := range c.r.consumers {
			vs = append(vs, cs)
		}
	}
	return vs
}

// crashed counts and records a client crash that happened now, with the
// work the client held at risk.
func (r *run) crashed(kind chaos.Kind, target string, atRisk int) {
	r.stats.crashes.Add(1)
	r.record(history.Event{Type: history.TypeFault, Name: string(kind), Target: target, AtRisk: int64(atRisk)})
	r.logf("%s: crashed %s with %d records at risk", kind, target, atRisk)
}

// name names producer p.
func (p *producer) name() string { return "producer " + strconv.Itoa(int(p.id)) }

func (c copierInput) name() string { return fmt.Sprintf("copier %d input consumer", c.c.idx) }
