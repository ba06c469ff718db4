package verify

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/kq-dev/kq/verify/check"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// NoFaults spells the choice of no fault, a clean baseline run.
const NoFaults = "none"

// DefaultFaults returns the faults a run schedules when none are named:
// those that stress what the semantics promises. Every preset gets lost
// produce responses (the ambiguous write behind duplicates), leader moves
// and consumer crashes (redelivery or loss, by commit order); exactly-once
// adds producer, copier and coordinator trouble. The broker faults among
// them need the built-in broker and crash-copier the copy pipeline:
// [Resolve] leaves out those a run cannot apply and says so.
func DefaultFaults(s check.Semantics) []chaos.Kind {
	kinds := []chaos.Kind{chaos.DropResponse, chaos.LeaderMove, chaos.CrashConsumer}
	if s == check.ExactlyOnce {
		kinds = append(kinds, chaos.CrashProducer, chaos.CrashCopier, chaos.CoordinatorMove)
	}
	return kinds
}

// FaultPlan is the fault schedule of a run.
type FaultPlan struct {
	// Spec spells the faults as --faults reads them; "none" for none.
	Spec string `json:"spec"`
	// Faults are the faults parsed; empty for none.
	Faults []chaos.Fault `json:"-"`
	// Interval is the mean quiet time before each window (interval_ms in
	// JSON).
	Interval time.Duration `json:"-"`
	// Duration is the length of each window (duration_ms in JSON).
	Duration time.Duration `json:"-"`
	// Seed replays the schedule: the same seed gives the same windows.
	Seed uint64 `json:"seed"`
	// MinWindows is how many full windows over traffic each named fault
	// needs (client crashes: crashes with work at risk) for a verdict.
	MinWindows int `json:"min_windows"`
	// Skipped lists default faults this run cannot apply, with the reason.
	Skipped []kqerr.SettingText `json:"skipped,omitempty"`
}

// MarshalJSON writes the interval and duration in milliseconds.
func (p FaultPlan) MarshalJSON() ([]byte, error) {
	type plain FaultPlan
	return output.MarshalJSON(struct {
		plain
		IntervalMS int64 `json:"interval_ms"`
		DurationMS int64 `json:"duration_ms"`
	}{plain(p), p.Interval.Milliseconds(), p.Duration.Milliseconds()})
}

// None reports whether the plan schedules no fault.
func (p FaultPlan) None() bool { return len(p.Faults) == 0 }

// planFaults chooses the faults: none, the user's list (every fault of
// which the run must be able to apply), or the semantics' defaults less
// those it cannot apply. builtIn says the run has the built-in broker.
func planFaults(opts Options, sem check.Semantics, pipeline, builtIn bool) (FaultPlan, error) {
	plan := FaultPlan{Interval: opts.FaultInterval, Duration: opts.FaultDuration, Seed: opts.Seed, MinWindows: opts.MinWindows}
	if plan.MinWindows == 0 {
		plan.MinWindows = DefaultMinWindows
	}
	if plan.Interval == 0 {
		plan.Interval = chaos.DefaultInterval
	}
	if plan.Duration == 0 {
		plan.Duration = chaos.DefaultDuration
	}
	if plan.Interval < 0 || plan.Duration < 0 {
		return plan, kqerr.Settingf("{fault interval} and {fault duration} must not be negative")
	}
	if plan.MinWindows < 1 || plan.MinWindows > 100 {
		return plan, kqerr.Settingf("{min windows} must be between 1 and 100, got %d", plan.MinWindows)
	}
	if plan.Seed == 0 {
		plan.Seed = randomSeed()
	}
	can := abilities{builtIn: builtIn, pipeline: pipeline, exec: opts.ExecStart != "" || opts.ExecEnd != ""}
	switch opts.Faults.Mode {
	case FaultsNone:
		plan.Spec = NoFaults
		return plan, nil
	case FaultsDefault:
		plan.Faults, plan.Skipped = defaultFaults(sem, can)
	default:
		for _, f := range opts.Faults.Listed {
			if reason := can.unusable(f.Kind); reason != "" {
				return plan, kqerr.Settingf("fault %s "+string(reason), f.Kind)
			}
		}
		plan.Faults = opts.Faults.Listed
	}
	plan.Spec = spellFaults(plan.Faults)
	return plan, nil
}

func defaultFaults(sem check.Semantics, can abilities) (faults []chaos.Fault, skipped []kqerr.SettingText) {
	for _, k := range DefaultFaults(sem) {
		if reason := can.unusable(k); reason != "" {
			skipped = append(skipped, kqerr.SettingText(k)+" "+reason)
			continue
		}
		faults = append(faults, chaos.Fault{Kind: k})
	}
	return faults, skipped
}

// abilities are what a run has to apply faults with.
type abilities struct {
	builtIn  bool // the built-in broker, for broker faults
	pipeline bool // copiers, for crash-copier
	exec     bool // a command, for exec
}

// unusable says why a run cannot apply a fault of kind k, or "".
func (a abilities) unusable(k chaos.Kind) kqerr.SettingText {
	switch {
	case k.Layer() == chaos.LayerBroker && !a.builtIn:
		return "needs the built-in broker (run kq verify without brokers configured)"
	case k == chaos.CrashCopier && !a.pipeline:
		return "needs the copy pipeline of {commit} txn"
	case k == chaos.Exec && !a.exec:
		return "needs a command ({fault exec} start=... or end=...)"
	}
	return ""
}

func spellFaults(faults []chaos.Fault) string {
	if len(faults) == 0 {
		return NoFaults
	}
	return chaos.Spell(faults)
}

// randomSeed returns a seed from the system's random source, between 1
// and 2^32: short enough to type, and exact in any JSON reader.
func randomSeed() uint64 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return uint64(binary.LittleEndian.Uint32(b[:])) + 1
}
