//go:build unix

package verify

import (
	"context"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify/check"
)

// BenchmarkConsumeDrain measures kq verify's group consumers alone: an
// at-least-once run (no faults, full speed, 200,000 or 1,000,000 values,
// the size) whose consumers start only once every value is
// written, so the consume phase is theirs; then `kq consume -g`
// (consume.Run in group mode, raw values to nowhere) reads the same topic
// on the same built-in 3-node broker as a fresh group. It reports both
// rates and how many times faster kq consume read (issue 17 asks for at
// most 2), with the default --process-time (5ms per batch, jittered) and
// with none, and the process's CPU per value in each (the in-process
// broker's included; for verify from the consumers' start to the end of
// the run, the report's checking included), which a busy machine skews
// less than the rates. The verdict must hold.
//
//	go test ./verify -run '^$' -bench ConsumeDrain -benchtime 1x -count 5
//	go test ./verify -run '^$' -bench 'ConsumeDrain/values=1000000' -benchtime 1x -count 5
func BenchmarkConsumeDrain(b *testing.B) {
	for _, values := range []int64{200_000, 1_000_000} {
		for _, pt := range []time.Duration{0, -1} {
			name := "process-time=default"
			if pt < 0 {
				name = "process-time=0"
			}
			b.Run(fmt.Sprintf("values=%d/%s", values, name), func(b *testing.B) {
				var sum drainFigures
				for b.Loop() {
					d := drainOnce(b, values, pt)
					sum.verifyRate += d.verifyRate
					sum.consumeRate += d.consumeRate
					sum.verifyCPU += d.verifyCPU
					sum.consumeCPU += d.consumeCPU
				}
				n := float64(b.N)
				b.ReportMetric(sum.verifyRate/n, "verify-values/s")
				b.ReportMetric(sum.consumeRate/n, "consume-g-values/s")
				b.ReportMetric(sum.consumeRate/sum.verifyRate, "consume-g/verify")
				b.ReportMetric(sum.verifyCPU/n, "verify-cpu-us/value")
				b.ReportMetric(sum.consumeCPU/n, "consume-g-cpu-us/value")
			})
		}
	}
}

// drainFigures are one drain's rates (values per second) and CPU per
// value (microseconds).
type drainFigures struct {
	verifyRate, consumeRate float64
	verifyCPU, consumeCPU   float64
}

func drainOnce(b *testing.B, values int64, processTime time.Duration) drainFigures {
	b.StopTimer()
	defer b.StartTimer()
	lr := lateRun(b, Options{KeepTopics: true, RunSettings: RunSettings{Semantics: check.AtLeastOnce, Faults: ListedFaults(),
		Workload: Workload{Messages: values, Rate: -1, ProcessTime: processTime}}})
	defer lr.br.Close()
	d := drainFigures{verifyRate: lr.rate, verifyCPU: lr.cpu}
	cpu0 := cpuTime(b)
	b.StartTimer()
	st, err := consume.Run(context.Background(), testutil.Factory(lr.br), consume.Options{Topics: []string{lr.r.ids.input}, Group: "bench-drain",
		From: consume.OffsetSpec{Kind: consume.Earliest}, Exit: true}, consume.NewRawSink(io.Discard))
	b.StopTimer()
	d.consumeCPU = perValue(cpuTime(b)-cpu0, uint64(st.Records))
	if err != nil || st.Records < int64(lr.rep.Counts.Acked) {
		b.Fatalf("kq consume -g: %d records of %d, %v", st.Records, lr.rep.Counts.Acked, err)
	}
	d.consumeRate = st.RecordsPerSecond()
	return d
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func perValue(d time.Duration, n uint64) float64 {
	if n == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(n)
}
