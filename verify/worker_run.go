package verify

import (
	"context"
	"fmt"

	"github.com/kq-dev/kq/verify/history"

	"github.com/kq-dev/kq/internal/conn"
)

// runWorker runs opts.Worker's share of a distributed run: it joins the
// run's control topic, publishes (worker 0) or takes (the others) the
// run's plan, and runs with the run's names and the worker's ids.
func runWorker(ctx context.Context, f conn.Factory, opts Options, progress Progress) (Report, error) {
	w := opts.Worker
	if err := w.validate(); err != nil {
		return Report{}, err
	}
	if opts.Broker != nil {
		return Report{}, fmt.Errorf("a worker cannot use an in-process broker: the workers must share a cluster")
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "verify: "+format+"\n", args...)
		}
	}
	coord, err := joinRun(ctx, f, w, logf)
	if err != nil {
		return Report{}, err
	}
	set, opts, err := agreePlan(ctx, coord, opts)
	if err != nil {
		coord.close(false)
		return Report{}, err
	}
	logf("worker %d/%d of run %s: %s, seed %d, faults %s", w.Index, w.Count, w.RunID, set.Semantics, set.Faults.Seed, set.Faults.Spec)
	r := newRun(f, opts, set)
	r.coord, r.ids = coord, runIDsOf(w.base())
	rep, err := r.execute(ctx, progress)
	coord.close(w.Index == 0 && !opts.KeepTopics && err == nil)
	rep.Worker = &WorkerInfo{Index: w.Index, Count: w.Count, Run: r.ids.input}
	return rep, err
}

// agreePlan resolves worker 0's settings and publishes them, or, on the
// other workers, waits for them and resolves those.
func agreePlan(ctx context.Context, coord *coordinator, opts Options) (Settings, Options, error) {
	if coord.w.Index == 0 {
		set, err := Resolve(opts)
		if err != nil {
			return Settings{}, opts, err
		}
		if err := coord.post(stepPlan, newWorkerPlan(opts, set)); err != nil {
			return Settings{}, opts, err
		}
		// Read back this plan, so a plan already there (a run id used
		// before) is found now.
		if _, err := coord.awaitPlan(ctx); err != nil {
			return Settings{}, opts, err
		}
		return set, opts, nil
	}
	plan, err := coord.awaitPlan(ctx)
	if err != nil {
		return Settings{}, opts, err
	}
	opts = plan.apply(opts, coord.w.Index)
	set, err := Resolve(opts)
	if err != nil {
		return Settings{}, opts, fmt.Errorf("worker 0's plan does not resolve here: %w", err)
	}
	return set, opts, nil
}

// meet posts step and waits for every worker to post it; alone, it does
// nothing.
func (r *run) meet(ctx context.Context, step string) error {
	if r.coord == nil {
		return nil
	}
	if err := r.coord.post(step, nil); err != nil {
		return err
	}
	r.logf("worker %d/%d: %s; waiting for the others", r.coord.w.Index, r.coord.w.Count, step)
	return r.coord.awaitAll(ctx, step)
}

// drained tells the others this worker's readers are done; worker 0 then
// waits for all of them (it validates the output and deletes the topics
// after).
func (r *run) drained(ctx context.Context) error {
	if r.coord == nil {
		return nil
	}
	if r.coord.w.Index == 0 {
		return r.meet(ctx, stepDrained)
	}
	return r.coord.post(stepDrained, nil)
}

// leads reports whether this run does the run-wide work: validation of the
// copy pipeline's output and clean-up. Alone, it does.
func (r *run) leads() bool { return r.coord == nil || r.coord.w.Index == 0 }

// firstProducer and firstReader are the ids of this worker's first
// producer and consumer (or copier); readers is the run's count of them
// over every worker.
func (r *run) firstProducer() int { return r.workerIndex() * r.set.Workload.Producers }
func (r *run) firstReader() int   { return r.workerIndex() * r.set.Workload.Consumers }
func (r *run) readers() int       { return r.workerCount() * r.set.Workload.Consumers }

func (r *run) workerIndex() int {
	if r.coord == nil {
		return 0
	}
	return r.coord.w.Index
}

func (r *run) workerCount() int {
	if r.coord == nil {
		return 1
	}
	return r.coord.w.Count
}

// workerMeta adds the worker's place to the history's meta event.
func (r *run) workerMeta(e *history.Event) {
	if r.coord != nil {
		e.Worker, e.Workers = r.coord.w.Index, r.coord.w.Count
	}
}

// allInstances are the static member ids of every worker's consumers, for
// the clean-up of the shared group.
func (r *run) allInstances() []string {
	var out []string
	for i := range r.readers() {
		out = append(out, (&consumer{r: r, idx: i}).instanceID())
	}
	return out
}
