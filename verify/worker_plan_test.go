package verify

import (
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify/check"
)

// TestWorkerPlanRoundTrip: a plan resolves, on another worker, to worker
// 0's settings, every field of them (a field added to Workload or
// Overrides must travel too), less exec faults.
func TestWorkerPlanRoundTrip(t *testing.T) {
	acks := setting.AcksLeader
	opts := Options{RunSettings: RunSettings{Semantics: check.AtLeastOnce, Overrides: Overrides{Acks: &acks}, Workload: Workload{Duration: 3 * time.Second, Producers: 3, Consumers: 4, Partitions: 8, Size: 64, Rate: -1,
		ProcessTime: 2 * time.Millisecond}, Faults: ListedFaults(chaos.Fault{Kind: chaos.Exec}, chaos.Fault{Kind: chaos.DropResponse}), FaultInterval: time.Second, FaultDuration: 500 * time.Millisecond, MinWindows: 2, RequestTimeout: 3 * time.Second}, ExecStart: "true"}
	set, err := Resolve(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newWorkerPlan(opts, set).encode()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := decodePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	// Worker 0 itself would resolve the same settings again.
	if got, err := Resolve(plan.apply(Options{ExecStart: "true"}, 0)); err != nil || !reflect.DeepEqual(got, set) {
		t.Fatalf("worker 0's plan resolves to\n%+v, %v\nwant\n%+v", got, err, set)
	}
	other := plan.apply(Options{RunSettings: RunSettings{Workload: Workload{Messages: 5}}, ExecStart: "echo wrong"}, 1)
	got, err := Resolve(other)
	if err != nil {
		t.Fatal(err)
	}
	want := set
	want.Faults.Spec, want.Faults.Faults = "drop-response", set.Faults.Faults[1:]
	if !reflect.DeepEqual(got, want) || other.ExecStart != "" {
		t.Errorf("worker 1 resolves to\n%+v\nwant\n%+v (exec left to worker 0)", got, want)
	}
}
