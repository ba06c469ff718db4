package verify

import (
	"context"
	"runtime/pprof"
)

// Roles of the run's goroutines in a CPU profile (KQ_CPUPROFILE, see
// BENCHMARKS.md): each producer, consumer and copier runs under the
// profiler label verify=ROLE, and the goroutines its client starts
// inherit it, so `go tool pprof -tags` splits the run's CPU between them
// (the history and checker work a goroutine does when it records an event
// counts for its role). Unlabelled: the checker's verdict, the validator's
// client, the control client and the fault schedule.
const (
	roleLabel    = "verify"
	roleProducer = "producer"
	roleConsumer = "consumer"
	roleCopier   = "copier"
)

// goRole runs f in a new goroutine labelled with role.
func goRole(ctx context.Context, role string, f func(context.Context)) {
	go pprof.Do(ctx, pprof.Labels(roleLabel, role), f)
}
