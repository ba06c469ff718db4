//go:build unix

package verify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify/check"
)

// BenchmarkCopyDrain measures the exactly-once copiers alone: a run of
// 200,000 values (no faults, full speed) on an in-process 3-node broker
// whose copiers start only once every value is written, so the copy
// phase (to the copiers' last commit) is theirs: how fast N copiers can
// copy, which is how fast producers can go before the copy phase falls
// behind them. It reports the copy rate, the transactions committed, and
// the process's CPU per value from the copiers' start to the end of the
// run (the in-process broker, the validation and the check included).
// The verdict must hold.
//
//	go test ./verify -run '^$' -bench CopyDrain -benchtime 1x -count 3
func BenchmarkCopyDrain(b *testing.B) {
	for _, copiers := range []int{2, 6} {
		b.Run(fmt.Sprintf("copiers=%d", copiers), func(b *testing.B) {
			var rate, cpu, txns float64
			for b.Loop() {
				r, c, t := copyOnce(b, 200_000, copiers)
				rate, cpu, txns = rate+r, cpu+c, txns+t
			}
			n := float64(b.N)
			b.ReportMetric(rate/n, "copy-values/s")
			b.ReportMetric(txns/n, "txns")
			b.ReportMetric(cpu/n, "cpu-us/value")
		})
	}
}

// copyOnce runs one late-copier run and returns its copy rate, CPU per
// value and committed transactions.
func copyOnce(b *testing.B, values int64, copiers int) (rate, cpu, txns float64) {
	b.StopTimer()
	defer b.StartTimer()
	lr := lateRun(b, Options{RunSettings: RunSettings{Semantics: check.ExactlyOnce, Faults: ListedFaults(),
		Workload: Workload{Messages: values, Rate: -1, Consumers: copiers}}})
	lr.br.Close()
	return lr.rate, lr.cpu, float64(lr.rep.Clients.TxnCommits)
}

// lateRunResult is a run whose readers started once every value was
// written (see lateRun).
type lateRunResult struct {
	r    *run
	br   *broker.Broker // the caller closes it
	rep  Report
	rate float64 // of the readers' phase, values per second
	cpu  float64 // µs per value delivered, from the readers' start to the end
}

// lateRun runs opts on a fresh in-process 3-node broker (default replica
// lag) with the consumers or copiers started only once every value is
// written, and fails b unless the verdict held. The benchmark timer runs
// for the run alone.
func lateRun(b *testing.B, opts Options) lateRunResult {
	br, err := broker.Start(broker.Options{Nodes: 3, ReplicaLag: broker.DefaultReplicaLag})
	if err != nil {
		b.Fatal(err)
	}
	set, err := Resolve(opts)
	if err != nil {
		br.Close()
		b.Fatal(err)
	}
	r := newRun(testutil.Factory(br), opts, set)
	var cpu0 time.Duration
	r.lateReaders = func() { cpu0 = cpuTime(b) }
	b.StartTimer()
	rep, err := r.execute(context.Background(), nil)
	b.StopTimer()
	if err != nil || !rep.Verdict.Held {
		br.Close()
		b.Fatalf("run: %v, verdict %+v", err, rep.Verdict)
	}
	lr := lateRunResult{r: r, br: br, rep: rep, cpu: perValue(cpuTime(b)-cpu0, rep.Counts.Delivered)}
	for _, p := range rep.Phases {
		if p.Name == r.consumePhase() {
			lr.rate = p.PerSecond()
		}
	}
	return lr
}
