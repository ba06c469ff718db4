package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/output"

	"github.com/kq-dev/kq/verify/history"
)

// Evidence is what a history shows beyond its counts: whether it is the
// whole story of a run, and what each fault the run names met. A verdict of
// held needs it (see [Judge]).
type Evidence struct {
	// Meta is set when the history has a meta line.
	Meta bool `json:"meta"`
	// End is the outcome its end line gives; empty without one.
	End history.Outcome `json:"end,omitempty"`
	// EndReason is the end line's reason.
	EndReason string `json:"end_reason,omitempty"`
	// Timed is set when sends or deliveries carry times.
	Timed bool `json:"timed"`
	// MinWindows is how many covered windows each fault needs.
	MinWindows int `json:"min_windows"`
	// Faults is the exposure of each fault the meta line names, in its order.
	Faults []Exposure `json:"faults"`
	// Tails is what the run showed of the risk a failover's cut tail poses
	// to acknowledged writes on the built-in broker's replication model
	// (see tailrisk.go); nil when the run has no such risk to show.
	Tails *TailRisk `json:"tail_risk,omitempty"`
}

// Exposure is what one named fault met in a run.
type Exposure struct {
	// Fault is the fault's name.
	Fault string `json:"fault"`
	// Windows counts its windows that opened and closed; Covered those of
	// them during which sends or deliveries happened.
	Windows int `json:"windows"`
	Covered int `json:"covered"`
	// Traffic counts the sends handed to a client (a send's time less its
	// latency) and the deliveries during its windows.
	Traffic uint64 `json:"traffic"`
	// Duration is the time its windows were open (duration_ms in JSON).
	Duration time.Duration `json:"-"`
	// Crashes counts client crashes of this kind; AtRisk those that hit a
	// client holding work at risk.
	Crashes int `json:"crashes"`
	AtRisk  int `json:"crashes_at_risk"`
}

// MarshalJSON adds duration_ms.
func (x Exposure) MarshalJSON() ([]byte, error) {
	type plain Exposure
	return output.MarshalJSON(struct {
		plain
		DurationMS int64 `json:"duration_ms"`
	}{plain(x), x.Duration.Milliseconds()})
}

// IsCrash reports whether fault names a client crash, which is judged by
// the work at risk it hit rather than by windows.
func IsCrash(fault string) bool { return strings.HasPrefix(fault, "crash-") }

// Enough reports whether the fault met what a verdict needs: min windows
// over traffic, or min crashes with work at risk.
func (x Exposure) Enough(min int) bool {
	if IsCrash(x.Fault) {
		return x.AtRisk >= min
	}
	return x.Covered >= min
}

// gap says why x is not enough, for a reason line.
func (x Exposure) gap(min int) string {
	if IsCrash(x.Fault) {
		return fmt.Sprintf("fault %s crashed %d clients, %d of them holding work at risk; %d needed", x.Fault, x.Crashes, x.AtRisk, min)
	}
	return fmt.Sprintf("fault %s had %d full windows over traffic (of %d); %d needed", x.Fault, x.Covered, x.Windows, min)
}

// evidence collects what a Checker needs for the Evidence of a history.
type evidence struct {
	meta       bool
	named      []string
	settings   map[string]string
	minWindows int
	end        history.Outcome
	endReason  string
	traffic    traffic
	faults     map[string]*faultLog
	crashed    map[string]bool // targets of client crashes
}

// faultLog is what the history says of one fault name.
type faultLog struct {
	starts, ends    []faultMark
	crashes, atRisk int
	// tails sums the at_risk of its window ends: the tails its leader
	// changes cut (see tailrisk.go).
	tails int64
}

// faultMark is a window's start or end: when, and at what target.
type faultMark struct {
	t      time.Time
	target string
}

func (ev *evidence) add(e *history.Event) {
	switch e.Type {
	case history.TypeMeta:
		if !ev.meta {
			ev.meta, ev.named, ev.minWindows, ev.settings = true, e.Faults, e.MinWindows, e.Settings
		}
	case history.TypeEnd:
		ev.end, ev.endReason = e.Outcome, e.Reason
	case history.TypeFault:
		ev.fault(e)
	case history.TypeSend:
		// A send is traffic when it was handed to the client: a fault that
		// stalls every answer (a dead broker) still has values in flight.
		if !e.Time.IsZero() {
			ev.traffic.add(e.Time.Add(-e.Latency))
		}
	case history.TypeDeliver:
		if !e.Time.IsZero() {
			ev.traffic.add(e.Time)
		}
	}
}

func (ev *evidence) fault(e *history.Event) {
	if ev.faults == nil {
		ev.faults = map[string]*faultLog{}
	}
	fl := ev.faults[e.Name]
	if fl == nil {
		fl = &faultLog{}
		ev.faults[e.Name] = fl
	}
	m := faultMark{e.Time, e.Target}
	switch e.Phase {
	case history.PhaseStart:
		fl.starts = append(fl.starts, m)
	case history.PhaseEnd:
		fl.ends = append(fl.ends, m)
		fl.tails += e.AtRisk
	default:
		fl.crashes++
		if ev.crashed == nil {
			ev.crashed = map[string]bool{}
		}
		ev.crashed[e.Target] = true
		if e.AtRisk > 0 {
			fl.atRisk++
		}
	}
}

// result returns the Evidence; it does not change ev.
func (ev *evidence) result() Evidence {
	out := Evidence{Meta: ev.meta, End: ev.end, EndReason: ev.endReason, Timed: ev.traffic.total > 0,
		MinWindows: max(ev.minWindows, 1), Faults: []Exposure{}}
	for _, name := range ev.named {
		x := Exposure{Fault: name}
		if fl := ev.faults[name]; fl != nil {
			x.Crashes, x.AtRisk = fl.crashes, fl.atRisk
			for _, w := range fl.windows() {
				n := ev.traffic.between(w.start, w.end)
				x.Windows++
				x.Duration += w.end.Sub(w.start)
				x.Traffic += n
				if n > 0 {
					x.Covered++
				}
			}
		}
		out.Faults = append(out.Faults, x)
	}
	if out.Tails = tailRisk(ev.settings, ev.named); out.Tails != nil {
		for _, fl := range ev.faults {
			out.Tails.Cut += fl.tails
		}
	}
	return out
}

// window is one fault window, start to end.
type window struct{ start, end time.Time }

// windows pairs the starts and ends of each target in time order, so the
// order of the history's lines does not matter. A start without an end
// (the run ended inside the window) is not a full window.
func (fl *faultLog) windows() []window {
	byTarget := func(ms []faultMark) map[string][]time.Time {
		out := map[string][]time.Time{}
		for _, m := range ms {
			out[m.target] = append(out[m.target], m.t)
		}
		for _, ts := range out {
			slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		}
		return out
	}
	starts, ends := byTarget(fl.starts), byTarget(fl.ends)
	var out []window
	for target, ss := range starts {
		es := ends[target]
		j := 0
		for i, s := range ss {
			for j < len(es) && es[j].Before(s) {
				j++
			}
			if j == len(es) || (i+1 < len(ss) && ss[i+1].Before(es[j])) {
				continue // no end before the next start
			}
			out = append(out, window{s, es[j]})
			j++
		}
	}
	slices.SortFunc(out, func(a, b window) int { return cmp.Compare(a.start.UnixNano(), b.start.UnixNano()) })
	return out
}

// Traffic is counted in slots of trafficSlot, in pages of trafficPage
// slots allocated as times appear: a run of an hour costs about 1.4 MB.
const (
	trafficSlot = 10 * time.Millisecond
	trafficPage = 1024
)

// traffic counts timed sends and deliveries per slot.
type traffic struct {
	pages map[int64]*[trafficPage]uint32
	total uint64
	// last is the page counted in last, lastKey its key: a page spans
	// ten seconds, and a map lookup per event was a fifth of the time
	// the Checker spent on it (BENCHMARKS.md, session 7).
	lastKey int64
	last    *[trafficPage]uint32
}

func (t *traffic) add(at time.Time) {
	slot := at.UnixNano() / int64(trafficSlot)
	key, i := floorDiv(slot, trafficPage)
	p := t.last
	if p == nil || key != t.lastKey {
		p = t.page(key)
	}
	p[i]++
	t.total++
}

// page returns the page of key, adding it if needed, and remembers it as
// the last.
func (t *traffic) page(key int64) *[trafficPage]uint32 {
	if t.pages == nil {
		t.pages = map[int64]*[trafficPage]uint32{}
	}
	p := t.pages[key]
	if p == nil {
		p = new([trafficPage]uint32)
		t.pages[key] = p
	}
	t.lastKey, t.last = key, p
	return p
}

// between counts the traffic in the slots from start's to end's.
func (t *traffic) between(start, end time.Time) uint64 {
	var n uint64
	first, last := start.UnixNano()/int64(trafficSlot), end.UnixNano()/int64(trafficSlot)
	for slot := first; slot <= last; slot++ {
		key, i := floorDiv(slot, trafficPage)
		if p := t.pages[key]; p != nil {
			n += uint64(p[i])
		} else {
			slot = (key+1)*trafficPage - 1 // skip the empty page
		}
	}
	return n
}

// floorDiv returns the page and index of slot.
func floorDiv(slot, size int64) (int64, int64) {
	k := slot / size
	if slot%size < 0 {
		k--
	}
	return k, slot - k*size
}
