package chaos

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// The schedule defaults, one set for kq verify and kq chaos proxy.
const (
	// DefaultInterval is the mean quiet time before each fault window.
	DefaultInterval = time.Second
	// DefaultDuration is the length of each fault window.
	DefaultDuration = time.Second
)

// ScheduleOptions configures a [Schedule]: the values of --faults,
// --fault-interval, --fault-duration and --seed.
type ScheduleOptions struct {
	// Faults are the faults the windows apply: each run of len(Faults)
	// windows applies every fault once, in an order drawn from the seed,
	// so even a short run meets every fault it names.
	Faults []Fault
	// Interval is the mean quiet time before each window; each gap is
	// drawn uniformly from [Interval/2, 3·Interval/2), in whole
	// milliseconds.
	Interval time.Duration
	// Duration is the length of every window.
	Duration time.Duration
	// Seed decides the gaps, the faults and the targets.
	Seed uint64
	// Nodes are the node ids a window picks from, uniformly, for a fault
	// that needs a target (kill-node, partition) and names none.
	Nodes []int32
	// Replay, when set, says how the user replays the schedule from its
	// seed, in its own terms (kq names its flag); [Apply] logs it with the
	// schedule.
	Replay func(seed uint64) string
}

// Schedule is a reproducible sequence of fault windows: the same options
// always give the same windows.
type Schedule struct {
	opts ScheduleOptions
}

// Window is one fault window of a schedule.
type Window struct {
	// Index counts windows from 0.
	Index int
	// Start and End are offsets from the start of the run.
	Start, End time.Duration
	// Fault is the fault, with the target the window chose.
	Fault Fault
}

// NewSchedule checks the options and returns the schedule. Errors are
// usage errors.
func NewSchedule(opts ScheduleOptions) (*Schedule, error) {
	switch {
	case len(opts.Faults) == 0:
		return nil, kqerr.Usagef("a fault schedule needs at least one fault")
	case opts.Duration <= 0:
		return nil, kqerr.Settingf("{fault duration} must be positive, got %v", opts.Duration)
	case opts.Interval < 0:
		return nil, kqerr.Settingf("{fault interval} must not be negative, got %v", opts.Interval)
	}
	for _, f := range opts.Faults {
		if err := f.Validate(); err != nil {
			return nil, err
		}
		if f.Kind.info().needsTarget && f.Target == "" && len(opts.Nodes) == 0 {
			return nil, kqerr.Usagef("fault %s needs target= (no node ids to pick from)", f.Kind)
		}
	}
	return &Schedule{opts: opts}, nil
}

// Seed returns the schedule's seed.
func (s *Schedule) Seed() uint64 { return s.opts.Seed }

// All yields the schedule's windows without end, in order.
func (s *Schedule) All() iter.Seq[Window] {
	return func(yield func(Window) bool) {
		rng := rand.New(rand.NewPCG(s.opts.Seed, s.opts.Seed^0x5851f42d4c957f2d))
		var at time.Duration
		var order []int
		for i := 0; ; i++ {
			if i%len(s.opts.Faults) == 0 {
				order = rng.Perm(len(s.opts.Faults))
			}
			w := s.window(rng, i, at, s.opts.Faults[order[i%len(order)]])
			if !yield(w) {
				return
			}
			at = w.End
		}
	}
}

// window draws window i of fault f, which starts after a gap following
// at.
func (s *Schedule) window(rng *rand.Rand, i int, at time.Duration, f Fault) Window {
	gap := s.opts.Interval / 2
	if s.opts.Interval > 0 {
		gap += time.Duration(rng.Int64N(int64(s.opts.Interval))).Truncate(time.Millisecond)
	}
	if f.Target == "" && f.Kind.info().needsTarget {
		f.Target = strconv.Itoa(int(s.opts.Nodes[rng.IntN(len(s.opts.Nodes))]))
	}
	start := at + gap
	return Window{Index: i, Start: start, End: start + s.opts.Duration, Fault: f}
}

// Windows returns the windows that end within run.
func (s *Schedule) Windows(run time.Duration) []Window {
	var out []Window
	for w := range s.All() {
		if w.End > run {
			break
		}
		out = append(out, w)
	}
	return out
}

// String renders the window as a timeline line: "+10s..+15s kill-node target=1".
func (w Window) String() string {
	target := w.Fault.Target
	if target == "" {
		target = "all"
	}
	return fmt.Sprintf("+%v..+%v %s target=%s", w.Start, w.End, w.Fault.Kind, target)
}
