package verify

import (
	"fmt"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultMinWindows is how many windows over traffic each named fault
// needs (or, for a client crash, crashes with work at risk) when
// [Options].MinWindows is zero.
const DefaultMinWindows = 1

// paceMargin stretches the time the schedule needs, for faults that take a
// while to apply and for clients that slow down under them.
const (
	paceMargin = 1.3
	paceExtra  = time.Second
)

// coverTime returns how long the schedule takes until every fault kind it
// names has had min windows.
func coverTime(sched *chaos.Schedule, kinds []chaos.Kind, min int) time.Duration {
	need := map[chaos.Kind]int{}
	for _, k := range kinds {
		need[k] = min
	}
	left := len(need)
	for w := range sched.All() {
		if need[w.Fault.Kind] > 0 {
			need[w.Fault.Kind]--
			if need[w.Fault.Kind] == 0 {
				left--
			}
		}
		if left == 0 {
			return w.End
		}
	}
	return 0
}

// pace stretches the produce phase so the schedule can give every named
// fault its windows over traffic: it lowers the rate of a run of a number
// of messages, or lengthens a run of a duration. It returns a note saying
// what it changed, or "".
func (r *run) pace(sched *chaos.Schedule) kqerr.SettingText {
	if sched == nil {
		return ""
	}
	need := time.Duration(float64(coverTime(sched, r.set.Faults.kinds(), r.set.Faults.MinWindows))*paceMargin) + paceExtra
	w := &r.set.Workload
	if w.Duration > 0 {
		if w.Duration >= need {
			return ""
		}
		old := w.Duration
		w.Duration = need.Round(time.Second)
		return kqerr.SettingText(fmt.Sprintf("paced: {duration} stretched from %v to %v so every named fault gets %d full windows over traffic", old, w.Duration, r.set.Faults.MinWindows))
	}
	rate := float64(w.Messages) / need.Seconds()
	if w.Rate > 0 && w.Rate <= rate {
		return ""
	}
	old := "no limit"
	if w.Rate > 0 {
		old = fmt.Sprintf("%.0f/s", w.Rate)
	}
	w.Rate = rate
	r.limiter = newLimiter(rate)
	return kqerr.SettingText(fmt.Sprintf("paced: rate lowered from %s to %.0f/s so every named fault gets %d full windows over traffic (about %v of writing)", old, rate, r.set.Faults.MinWindows, need.Round(time.Second)))
}

// kinds lists the fault kinds the plan names, each once, in order.
func (p FaultPlan) kinds() []chaos.Kind {
	var out []chaos.Kind
	for _, f := range p.Faults {
		if !containsKind(out, f.Kind) {
			out = append(out, f.Kind)
		}
	}
	return out
}

func containsKind(ks []chaos.Kind, k chaos.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// kindNames spells kinds for a history's meta line.
func kindNames(ks []chaos.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
