package consume

import (
	"context"
	"time"
)

const (
	// watchInterval is how often the watcher checks idleness and quiet
	// partitions.
	watchInterval = 25 * time.Millisecond
	// probeQuiet is how long a partition below its bound stays quiet
	// before a probe checks whether anything deliverable is left.
	probeQuiet = 100 * time.Millisecond
	// probeMaxWait caps the back-off between probes of one partition.
	probeMaxWait = time.Second
)

// watch runs until ctx ends: it stops the run after IdleTimeout without
// records, and probes quiet partitions that have a bound (p may be nil
// when none has).
func (e *engine) watch(ctx context.Context, p *prober) {
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			e.checkIdle(now)
			if p != nil {
				e.probe(p, now)
			}
		}
	}
}

func (e *engine) checkIdle(now time.Time) {
	if e.opts.IdleTimeout <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if now.Sub(e.lastRecord) >= e.opts.IdleTimeout {
		e.stopLocked(StopIdle, nil)
	}
}

// probeJob is one partition to probe, with what was known when it was
// picked.
type probeJob struct {
	st       *partState
	epoch    int
	next     int64
	from, to int64
}

// probe checks the quiet partitions below their bound, without holding
// the lock while it fetches.
func (e *engine) probe(p *prober, now time.Time) {
	for _, j := range e.probeJobs(now) {
		vis, proven, err := p.scan(j.st.tp.Topic, j.st.tp.Partition, j.from, j.to)
		e.applyProbe(j, vis, proven, err, now)
	}
}

func (e *engine) probeJobs(now time.Time) []probeJob {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	var jobs []probeJob
	for _, st := range e.parts {
		if !st.assigned || !st.started || st.done || st.offset == noBound ||
			now.Sub(st.quietSince) < probeQuiet || now.Before(st.nextProbe) {
			continue
		}
		jobs = append(jobs, probeJob{st: st, epoch: st.epoch, next: st.next, from: max(st.next, st.proven), to: st.offset})
	}
	return jobs
}

// applyProbe records a probe's result unless the partition moved on
// meanwhile. A partition proven to hold nothing deliverable before its
// bound is done; in group mode its position is marked at the bound.
func (e *engine) applyProbe(j probeJob, visible bool, proven int64, err error, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := j.st
	if e.stopped || st.done || !st.assigned || st.epoch != j.epoch || st.next != j.next {
		return
	}
	if err == nil && !visible {
		st.proven = max(st.proven, proven)
		if st.proven >= st.offset {
			e.donePastInvisibleLocked(st)
			return
		}
	}
	if err != nil && e.opts.OnError != nil {
		e.opts.OnError(err)
	}
	st.probeWait = min(max(2*st.probeWait, probeQuiet), probeMaxWait)
	st.nextProbe = now.Add(st.probeWait)
}

// donePastInvisibleLocked ends a partition whose remaining offsets before
// its bound hold nothing deliverable (markers, aborted records, gaps).
func (e *engine) donePastInvisibleLocked(st *partState) {
	if st.mark != nil {
		if err := e.flushLocked(); err != nil {
			e.stopLocked(StopError, err)
			return
		}
		st.mark(st.offset)
	}
	e.partDoneLocked(st)
}
