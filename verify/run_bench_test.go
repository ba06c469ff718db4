package verify_test

import (
	"context"
	"testing"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

// BenchmarkDefaultRun times what `kq verify --semantics S` does with every
// default (100,000 values at 10,000/s, the semantics' own faults) against
// a fresh built-in 3-node cluster, and the same workload at full speed
// without faults (--faults none --rate 0). Each iteration is one run; the
// verdict must hold.
//
//	go test ./verify -run '^$' -bench DefaultRun -benchtime 1x
func BenchmarkDefaultRun(b *testing.B) {
	for _, s := range []check.Semantics{check.AtMostOnce, check.AtLeastOnce, check.ExactlyOnce} {
		for _, full := range []bool{false, true} {
			name := string(s)
			opts := verify.Options{RunSettings: verify.RunSettings{Semantics: s, Seed: 1}}
			if full {
				name += "/no-faults-full-speed"
				opts.Faults, opts.Workload.Rate = verify.ListedFaults(), -1
			}
			b.Run(name, func(b *testing.B) { benchRun(b, opts) })
		}
	}
}

func benchRun(b *testing.B, opts verify.Options) {
	var records uint64
	for b.Loop() {
		b.StopTimer()
		br, err := broker.Start(broker.Options{Nodes: 3})
		if err != nil {
			b.Fatal(err)
		}
		opts.Broker = br
		b.StartTimer()
		rep, err := verify.Run(context.Background(), testutil.Factory(br), opts, nil)
		b.StopTimer()
		br.Close()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Settings.Faults.None() && !rep.Verdict.Held {
			b.Fatalf("a clean run broke %s: %+v", opts.Semantics, rep.Verdict)
		}
		records += rep.Counts.Sent
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "values/s")
}
