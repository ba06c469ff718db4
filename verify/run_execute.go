package verify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
	"github.com/kq-dev/kq/verify/report"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
)

// execute runs the phases and builds the report. An error before the
// workload starts (the cluster cannot be reached, the topics cannot be
// created) comes back with a zero Report.
func (r *run) execute(parent context.Context, progress Progress) (Report, error) {
	rep := Report{Settings: r.set, Topics: r.ids.topics(r.set.Pipeline()), Started: time.Now()}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	r.cancel = cancel

	ctl, err := openControl(r.ctrl)
	if err != nil {
		return Report{}, err
	}
	defer ctl.close()
	r.ctl = ctl
	runner, sched, err := r.chaosRunner(ctl.nodes)
	if err != nil {
		return Report{}, err
	}
	r.paced = r.pace(sched)
	rep.Settings = r.set
	if err := r.setup(ctx, ctl); err != nil {
		return Report{}, err
	}
	if !r.opts.KeepTopics && r.leads() {
		defer r.teardown(ctl)
	}
	stopProgress := r.startProgress(ctx, progress, sched)
	err = r.phases(ctx, ctl, runner, sched, &rep)
	r.awaitGraveyard(r.drainTimeout)
	stopProgress()
	err = r.outcome(parent, err, &rep)
	r.recordEnd(parent, err)
	r.finishReport(&rep, err)
	return rep, err
}

// setup creates the topics and starts the history.
func (r *run) setup(ctx context.Context, ctl *control) error {
	if err := ctl.createTopics(ctx, r.ids.topics(r.set.Pipeline()), int32(r.set.Workload.Partitions), r.set.Workload.TopicConfig); err != nil {
		return err
	}
	r.checker = check.New(check.Options{})
	r.series = report.NewBuilder(report.Options{})
	ss := sinks{r.checker, r.series}
	if r.watchesTails() {
		r.acked = newAckedOffsets(r.ids.input)
		ss = append(ss, r.acked)
	}
	r.rec = history.NewRecorder(r.opts.History, ss)
	meta := history.Event{Type: history.TypeMeta, Version: history.Version, Semantics: string(r.set.Semantics), Run: r.ids.input,
		Faults: kindNames(r.set.Faults.kinds()), MinWindows: r.set.Faults.MinWindows, Settings: r.set.Map()}
	if rm, ok := r.opts.Broker.(replicaModel); ok && rm.ReplicaLag() > 0 {
		// The checker's tail-risk rule (check/tailrisk.go) needs it.
		meta.Settings["replica_lag"] = rm.ReplicaLag().String()
	}
	r.workerMeta(&meta)
	r.record(meta)
	return nil
}

// teardown deletes the run's topics and groups, best effort.
func (r *run) teardown(ctl *control) {
	var instances []string
	if !r.set.Pipeline() {
		instances = r.allInstances()
	}
	for _, err := range ctl.deleteAll(r.ids.topics(r.set.Pipeline()), r.ids.groups(r.set.Pipeline()), instances) {
		r.logf("clean-up: %v", err)
	}
}

// phases runs produce (with faults and consumers or copiers), drain and,
// for the copy pipeline, validate.
func (r *run) phases(ctx context.Context, ctl *control, runner *chaos.Runner, sched *chaos.Schedule, rep *Report) error {
	if err := r.meet(ctx, stepReady); err != nil {
		return err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	var readers sync.WaitGroup
	if r.lateReaders == nil {
		r.startReaders(workCtx, &readers)
		r.awaitReaders(ctx)
	}

	r.producers = r.newProducers()
	r.phase.set(PhaseProduce)
	start := time.Now()
	r.faultStart.Store(start.UnixNano())
	faultCtx, stopFaults := context.WithCancel(ctx)
	timeline := r.startFaults(faultCtx, runner, sched)
	r.logf("produce: %d producers", r.set.Workload.Producers)
	perr := r.produce(ctx)
	rep.addPhase(PhaseProduce, start, r.stats.sent.Load())
	stopFaults()
	rep.Faults = <-timeline
	r.recordTimeline(rep.Faults)
	if perr == nil {
		perr = r.meet(ctx, stepProduced)
	}
	if perr != nil {
		stopWork()
		readers.Wait()
		return perr
	}

	r.phase.set(r.consumePhase())
	if r.lateReaders != nil {
		start = time.Now()
		r.lateReaders()
		r.startReaders(workCtx, &readers)
	}
	r.logf("drain: waiting for the %s to catch up", r.readerNoun())
	derr := r.drain(ctx, ctl)
	end := r.readersDone(start, time.Now(), derr == nil)
	stopWork()
	readers.Wait()
	rep.addPhaseTo(r.consumePhase(), start, end, r.consumedCount())
	if derr == nil {
		derr = r.drained(ctx)
	}
	if derr != nil {
		return derr
	}
	if !r.set.Pipeline() || !r.leads() {
		return nil
	}
	r.phase.set(PhaseValidate)
	vstart := time.Now()
	n, err := r.validate(ctx)
	rep.addPhase(PhaseValidate, vstart, n)
	return err
}

// readersDone is when the consume or copy phase that started at start
// ended, found drained (or failed) at now: drained, the copiers' last
// commit, which copied the end of the input, or the group consumers' last
// finished batch (processed and, unless they auto-commit in the
// background, committed), which reached it. The drain
// only sees it after the input's end has stood still for settleQuiet and
// at its next poll, verify's own bookkeeping: 0.3-0.4 s, most of the copy
// phase of a fast run of 200,000 values (BENCHMARKS.md, issue 17).
func (r *run) readersDone(start, now time.Time, drained bool) time.Time {
	var last int64
	switch {
	case r.set.Pipeline():
		last = r.stats.lastCopy.Load()
	case !r.set.AutoCommit: // a background commit's time is not known
		last = r.stats.lastRead.Load()
	}
	if !drained || last < start.UnixNano() || last > now.UnixNano() {
		return now
	}
	return time.Unix(0, last)
}

// startReaders starts the group consumers or the copiers.
func (r *run) startReaders(ctx context.Context, wg *sync.WaitGroup) {
	first, n := r.firstReader(), r.readers()
	for i := first; i < first+r.set.Workload.Consumers; i++ {
		wg.Add(1)
		if r.set.Pipeline() {
			c := newCopier(r, i, n)
			r.copiers = append(r.copiers, c)
			goRole(ctx, roleCopier, func(ctx context.Context) { defer wg.Done(); c.run(ctx) })
			continue
		}
		c := &consumer{r: r, idx: i}
		r.consumers = append(r.consumers, c)
		goRole(ctx, roleConsumer, func(ctx context.Context) { defer wg.Done(); c.run(ctx) })
	}
}

// readersStartWait bounds how long the producers wait for the readers
// (with a request timeout, when that is longer): a new group's first
// join waits out Kafka's group.initial.rebalance.delay.ms, 3 s by
// default, before it settles.
const readersStartWait = 5 * time.Second

// awaitReaders waits, at most readersStartWait, until the readers are
// reading: every group consumer's session reads all its partitions, every
// copier has its transactional producer and its input open. So the
// producers start with the group settled and the copiers ready: consumers
// joining one by one while the producers wrote spent the first 0.3 s of a
// fast run rebalancing, then read a backlog (BENCHMARKS.md, session 9);
// copiers open in some 20 ms. Readers not ready by then are logged, and
// the run goes on: they catch up as they would have.
func (r *run) awaitReaders(ctx context.Context) {
	if len(r.consumers) == 0 && len(r.copiers) == 0 {
		return
	}
	t0 := time.Now()
	if !waitUntil(ctx, max(readersStartWait, r.requestTimeout), r.readersReading) {
		if ctx.Err() == nil {
			r.logf("%s: not all reading after %v; producing anyway", r.readerNoun(), time.Since(t0).Round(time.Millisecond))
		}
		return
	}
	r.logf("%s: all reading after %v", r.readerNoun(), time.Since(t0).Round(time.Millisecond))
}

// readersReading reports whether every consumer reads its partitions and
// every copier with partitions has opened.
func (r *run) readersReading() bool {
	for _, c := range r.consumers {
		if !c.reading.Load() {
			return false
		}
	}
	for _, c := range r.copiers {
		if len(c.parts) > 0 && !c.reading.Load() {
			return false
		}
	}
	return true
}

// newProducers returns the run's producers, ids 0 to Producers-1 (of a
// worker: its share of the run's ids).
func (r *run) newProducers() []*producer {
	w := r.set.Workload
	ps := make([]*producer, w.Producers)
	for i := range ps {
		ps[i] = &producer{r: r, id: uint32(r.firstProducer() + i), quota: share(w.Messages, i, w.Producers)}
	}
	return ps
}

// produce runs the producers to the end of their quota or the run's
// duration.
func (r *run) produce(ctx context.Context) error {
	w := r.set.Workload
	var deadline time.Time
	if w.Duration > 0 {
		deadline = time.Now().Add(w.Duration)
	}
	errs := make([]error, w.Producers)
	var wg sync.WaitGroup
	for i, p := range r.producers {
		wg.Add(1)
		goRole(ctx, roleProducer, func(ctx context.Context) { defer wg.Done(); errs[i] = p.run(ctx, deadline) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil && ctx.Err() == nil {
		return fmt.Errorf("produce: %w", err)
	}
	return ctx.Err()
}

func (r *run) readerNoun() string {
	if r.set.Pipeline() {
		return "copiers"
	}
	return "consumers"
}

func (r *run) consumePhase() string {
	if r.set.Pipeline() {
		return PhaseCopy
	}
	return PhaseConsume
}

func (r *run) consumedCount() uint64 {
	if r.set.Pipeline() {
		return r.stats.copied.Load()
	}
	return r.stats.delivered.Load()
}

// recordEnd ends the history with the run's outcome.
func (r *run) recordEnd(parent context.Context, err error) {
	e := history.Event{Type: history.TypeEnd, Outcome: history.OutcomeComplete}
	switch {
	case parent.Err() != nil:
		e.Outcome, e.Reason = history.OutcomeInterrupted, "interrupted"
	case err != nil:
		e.Outcome, e.Reason = history.OutcomeFailed, err.Error()
	}
	r.record(e)
}

// outcome decides the error Run returns: a worker's fatal error, the
// phase error, or the interruption.
func (r *run) outcome(parent context.Context, err error, rep *Report) error {
	if r.err != nil {
		err = r.err
	}
	if parent.Err() != nil {
		rep.Interrupted = true
		return fmt.Errorf("%w: verify stopped before the end: the counts are partial", kqerr.ErrInterrupted)
	}
	return err
}

// sinks feeds each event to every sink in turn, stopping at the first
// error.
type sinks []history.Sink

// Feed feeds e to each sink.
func (s sinks) Feed(e *history.Event) error {
	for _, x := range s {
		if err := x.Feed(e); err != nil {
			return err
		}
	}
	return nil
}
