package chaos

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

func testSchedule(t *testing.T, seed uint64) *Schedule {
	t.Helper()
	faults, err := ParseFaults("drop-response,kill-node,partition,latency,delay=50ms")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSchedule(ScheduleOptions{Faults: faults, Interval: 10 * time.Second, Duration: 5 * time.Second, Seed: seed, Nodes: []int32{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScheduleReplaysFromSeed(t *testing.T) {
	a := testSchedule(t, 42).Windows(10 * time.Minute)
	b := testSchedule(t, 42).Windows(10 * time.Minute)
	c := testSchedule(t, 43).Windows(10 * time.Minute)
	if len(a) < 20 {
		t.Fatalf("only %d windows in 10 minutes", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different schedules")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same schedule")
	}
}

func TestScheduleWindowsShape(t *testing.T) {
	const run = 10 * time.Minute
	kinds := map[Kind]int{}
	targets := map[string]int{}
	var prevEnd time.Duration
	for i, w := range testSchedule(t, 7).Windows(run) {
		gap := w.Start - prevEnd
		switch {
		case w.Index != i:
			t.Fatalf("window %d has index %d", i, w.Index)
		case gap < 5*time.Second || gap >= 15*time.Second:
			t.Fatalf("window %d: gap %v outside [5s, 15s)", i, gap)
		case w.End-w.Start != 5*time.Second || w.End > run:
			t.Fatalf("window %d: %v..%v", i, w.Start, w.End)
		}
		kinds[w.Fault.Kind]++
		if w.Fault.Kind == KillNode || w.Fault.Kind == Partition {
			targets[w.Fault.Target]++
		} else if w.Fault.Target != "" {
			t.Fatalf("window %d: %s got target %q", i, w.Fault.Kind, w.Fault.Target)
		}
		prevEnd = w.End
	}
	if len(kinds) != 4 || len(targets) != 3 {
		t.Fatalf("kinds %v, targets %v: not every fault or node was chosen", kinds, targets)
	}
}

func TestScheduleErrors(t *testing.T) {
	kill := []Fault{{Kind: KillNode}}
	for name, o := range map[string]ScheduleOptions{
		"no faults":        {Duration: time.Second},
		"no duration":      {Faults: kill, Nodes: []int32{1}},
		"negative gap":     {Faults: kill, Nodes: []int32{1}, Duration: time.Second, Interval: -1},
		"kill without ids": {Faults: kill, Duration: time.Second},
		"invalid fault":    {Faults: []Fault{{Kind: "nope"}}, Duration: time.Second},
	} {
		if _, err := NewSchedule(o); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: err = %v, want usage error", name, err)
		}
	}
}

func TestWindowString(t *testing.T) {
	w := Window{Start: 10 * time.Second, End: 15 * time.Second, Fault: Fault{Kind: KillNode, Target: "1"}}
	if got, want := w.String(), "+10s..+15s kill-node target=1"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

// TestScheduleCyclesThroughEveryFault checks that each run of len(faults)
// windows applies every fault exactly once, whatever the seed.
func TestScheduleCyclesThroughEveryFault(t *testing.T) {
	faults, err := ParseFaults("drop-response,leader-move,crash-consumer,coordinator-move,latency")
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		s, err := NewSchedule(ScheduleOptions{Faults: faults, Interval: time.Second, Duration: time.Second, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[Kind]int{}
		i := 0
		for w := range s.All() {
			seen[w.Fault.Kind]++
			i++
			if i%len(faults) == 0 {
				for _, f := range faults {
					if seen[f.Kind] != i/len(faults) {
						t.Fatalf("seed %d: after %d windows %s ran %d times", seed, i, f.Kind, seen[f.Kind])
					}
				}
			}
			if i == 3*len(faults) {
				break
			}
		}
	}
}
