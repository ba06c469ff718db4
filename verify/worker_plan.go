package verify

import (
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/verify/check"
)

// workerPlan is what worker 0 tells the others of a distributed run: every
// setting that shapes the run, resolved (defaults filled in, the seed
// drawn), so that each worker resolves the same settings.
type workerPlan struct {
	Semantics      check.Semantics `json:"semantics"`
	Overrides      Overrides       `json:"overrides"`
	Messages       int64           `json:"messages"`
	DurationMS     int64           `json:"duration_ms"`
	Producers      int             `json:"producers"`
	Consumers      int             `json:"consumers"`
	Partitions     int             `json:"partitions"`
	Size           int             `json:"size"`
	Rate           float64         `json:"rate"`
	TxnSize        int             `json:"txn_size"`
	AbortRate      float64         `json:"abort_rate"`
	Faults         string          `json:"faults"`
	FaultInterval  time.Duration   `json:"fault_interval_ns"`
	FaultDuration  time.Duration   `json:"fault_duration_ns"`
	MinWindows     int             `json:"min_windows"`
	Seed           uint64          `json:"seed"`
	RequestTimeout time.Duration   `json:"request_timeout_ns"`
	DrainTimeout   time.Duration   `json:"drain_timeout_ns"`
}

// newWorkerPlan is the plan of settings set resolved from opts.
func newWorkerPlan(opts Options, set Settings) *workerPlan {
	w := set.Workload
	return &workerPlan{
		Semantics: set.Semantics, Overrides: opts.Overrides,
		Messages: w.Messages, DurationMS: w.Duration.Milliseconds(), Producers: w.Producers, Consumers: w.Consumers,
		Partitions: w.Partitions, Size: w.Size, Rate: noneIfZero(w.Rate), TxnSize: w.TxnSize, AbortRate: noneIfZero(w.AbortRate),
		Faults: set.Faults.Spec, FaultInterval: set.Faults.Interval, FaultDuration: set.Faults.Duration,
		MinWindows: set.Faults.MinWindows, Seed: set.Faults.Seed,
		RequestTimeout: opts.RequestTimeout, DrainTimeout: opts.DrainTimeout,
	}
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
	opts.Semantics, opts.Overrides = p.Semantics, p.Overrides
	opts.Workload = Workload{Messages: p.Messages, Duration: time.Duration(p.DurationMS) * time.Millisecond,
		Producers: p.Producers, Consumers: p.Consumers, Partitions: p.Partitions, Size: p.Size, Rate: p.Rate,
		TxnSize: p.TxnSize, AbortRate: p.AbortRate}
	opts.Faults, opts.FaultInterval, opts.FaultDuration = p.Faults, p.FaultInterval, p.FaultDuration
	opts.MinWindows, opts.Seed = p.MinWindows, p.Seed
	opts.RequestTimeout, opts.DrainTimeout = p.RequestTimeout, p.DrainTimeout
	if index != 0 {
		opts.Faults, opts.ExecStart, opts.ExecEnd = withoutExec(p.Faults), "", ""
	}
	return opts
}

// withoutExec is the fault spec less its exec faults; "none" when nothing
// is left.
func withoutExec(spec string) string {
	faults, err := chaos.ParseFaults(spec)
	if err != nil || spec == NoFaults {
		return spec
	}
	kept := faults[:0]
	for _, f := range faults {
		if f.Kind != chaos.Exec {
			kept = append(kept, f)
		}
	}
	return spellFaults(kept)
}
