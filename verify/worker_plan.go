package verify

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/kq-dev/kq/chaos"
)

// workerPlan is what worker 0 tells the others of a distributed run: its
// RunSettings resolved (defaults filled in, the seed drawn), so that each
// worker resolves the same settings.
type workerPlan struct{ RunSettings }

// newWorkerPlan is the plan of settings set resolved from opts.
func newWorkerPlan(opts Options, set Settings) *workerPlan {
	w := set.Workload
	w.Rate, w.AbortRate = noneIfZero(w.Rate), noneIfZero(w.AbortRate)
	return &workerPlan{RunSettings{
		Semantics: set.Semantics, Overrides: opts.Overrides, Workload: w,
		Faults: ListedFaults(set.Faults.Faults...), FaultInterval: set.Faults.Interval, FaultDuration: set.Faults.Duration,
		MinWindows: set.Faults.MinWindows, Seed: set.Faults.Seed,
		RequestTimeout: opts.RequestTimeout, DrainTimeout: opts.DrainTimeout,
	}}
}

// encode returns the plan as bytes for the control topic.
func (p *workerPlan) encode() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(p); err != nil {
		return nil, fmt.Errorf("encode the run's plan: %w", err)
	}
	return buf.Bytes(), nil
}

// decodePlan reads a plan encode wrote.
func decodePlan(b []byte) (*workerPlan, error) {
	var p workerPlan
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&p); err != nil {
		return nil, fmt.Errorf("decode the run's plan: %w", err)
	}
	return &p, nil
}

// noneIfZero maps a resolved 0 ("none") back to the options' negative.
func noneIfZero(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}

// apply returns opts with the plan's settings. Exec faults are left to
// worker 0 (index): the others leave them out of their schedules.
func (p *workerPlan) apply(opts Options, index int) Options {
	opts.RunSettings = p.RunSettings
	if index != 0 {
		opts.Faults, opts.ExecStart, opts.ExecEnd = withoutExec(p.Faults), "", ""
	}
	return opts
}

// withoutExec is the choice less its exec faults; none when nothing is
// left.
func withoutExec(c FaultChoice) FaultChoice {
	if c.Mode != FaultsListed {
		return c
	}
	var kept []chaos.Fault
	for _, f := range c.Listed {
		if f.Kind != chaos.Exec {
			kept = append(kept, f)
		}
	}
	return ListedFaults(kept...)
}
