package chaos_test

import (
	"fmt"
	"time"

	"github.com/kq-dev/kq/chaos"
)

func ExampleParseFaults() {
	faults, err := chaos.ParseFaults("drop-response,p=0.5,latency,api=fetch,delay=200ms,jitter=50ms,kill-node")
	if err != nil {
		panic(err)
	}
	for _, f := range faults {
		fmt.Printf("%-8s %s\n", f.Kind.Layer(), f.WithDefaults())
	}
	// Output:
	// network  drop-response,api=produce,p=0.5
	// network  latency,api=fetch,p=1,delay=200ms,jitter=50ms
	// broker   kill-node
}

func ExampleSchedule_Windows() {
	faults, _ := chaos.ParseFaults("drop-response,kill-node")
	s, err := chaos.NewSchedule(chaos.ScheduleOptions{
		Faults: faults, Interval: 10 * time.Second, Duration: 5 * time.Second, Seed: 42, Nodes: []int32{0, 1, 2},
	})
	if err != nil {
		panic(err)
	}
	for _, w := range s.Windows(time.Minute) {
		fmt.Println(w)
	}
	// Output:
	// +6.133s..+11.133s kill-node target=1
	// +20.245s..+25.245s drop-response target=all
	// +34.849s..+39.849s drop-response target=all
	// +50.188s..+55.188s kill-node target=2
}
