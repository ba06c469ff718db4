package verify

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify/check"
)

// BenchmarkConsumeDrain measures kq verify's group consumers alone: an
// at-least-once run (no faults, full speed, 200,000 values) whose
// consumers start only once every value is written, so the consume phase
// is theirs; then `kq consume -g` (consume.Run in group mode, raw values
// to nowhere) reads the same topic on the same built-in 3-node broker as a
// fresh group. It reports both rates and how many times faster kq consume
// read (issue 17 asks for at most 2), with the default --process-time
// (5ms per batch, jittered) and with none. The verdict must hold.
//
//	go test ./verify -run '^$' -bench ConsumeDrain -benchtime 1x
func BenchmarkConsumeDrain(b *testing.B) {
	for _, pt := range []time.Duration{0, -1} {
		name := "process-time=default"
		if pt < 0 {
			name = "process-time=0"
		}
		b.Run(name, func(b *testing.B) {
			var verifyRate, consumeRate float64
			for b.Loop() {
				v, c := drainOnce(b, pt)
				verifyRate += v
				consumeRate += c
			}
			n := float64(b.N)
			b.ReportMetric(verifyRate/n, "verify-values/s")
			b.ReportMetric(consumeRate/n, "consume-g-values/s")
			b.ReportMetric(consumeRate/verifyRate, "consume-g/verify")
		})
	}
}

func drainOnce(b *testing.B, processTime time.Duration) (verifyRate, consumeRate float64) {
	b.StopTimer()
	defer b.StartTimer()
	br, err := broker.Start(broker.Options{Nodes: 3, ReplicaLag: broker.DefaultReplicaLag})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	f := testutil.Factory(br)
	opts := Options{KeepTopics: true, RunSettings: RunSettings{Semantics: check.AtLeastOnce, Faults: ListedFaults(),
		Workload: Workload{Messages: 200_000, Rate: -1, ProcessTime: processTime}}}
	set, err := Resolve(opts)
	if err != nil {
		b.Fatal(err)
	}
	r := newRun(f, opts, set)
	r.lateReaders = true
	b.StartTimer()
	rep, err := r.execute(context.Background(), nil)
	b.StopTimer()
	if err != nil || !rep.Verdict.Held {
		b.Fatalf("run: %v, verdict %+v", err, rep.Verdict)
	}
	for _, p := range rep.Phases {
		if p.Name == PhaseConsume {
			verifyRate = p.PerSecond()
		}
	}
	b.StartTimer()
	st, err := consume.Run(context.Background(), f, consume.Options{Topics: []string{r.ids.input}, Group: "bench-drain",
		From: consume.OffsetSpec{Kind: consume.Earliest}, Exit: true}, consume.NewRawSink(io.Discard))
	b.StopTimer()
	if err != nil || st.Records < int64(rep.Counts.Acked) {
		b.Fatalf("kq consume -g: %d records of %d, %v", st.Records, rep.Counts.Acked, err)
	}
	return verifyRate, st.RecordsPerSecond()
}
