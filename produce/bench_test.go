package produce_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

// BenchmarkRun produces 100-byte records from a text input into an
// in-process broker (which shares the CPU, so this measures kq's cost
// more than a real cluster's speed); b.N is the record count.
func BenchmarkRun(b *testing.B) {
	for _, path := range []string{"batch", "idempotent"} {
		b.Run(path, func(b *testing.B) {
			br := testutil.StartBroker(b, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"t": 3}})
			o := produce.Options{Topic: "t", Settings: produce.DefaultSettings()}
			o.Settings.Idempotent = path == "idempotent"
			var in bytes.Buffer
			for i := range b.N {
				fmt.Fprintf(&in, "%012d%s\n", i, bytes.Repeat([]byte("x"), 88))
			}
			b.SetBytes(100)
			b.ResetTimer()
			start := time.Now()
			res, err := produce.Run(context.Background(), testutil.Factory(br), o, produce.NewLineSource(&in, produce.LineConfig{}), nil)
			if err != nil || res.Acked != int64(b.N) {
				b.Fatalf("%+v %v", res, err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkLineSource measures reading and splitting text input alone.
func BenchmarkLineSource(b *testing.B) {
	line := append(bytes.Repeat([]byte("x"), 99), '\n')
	in := bytes.Repeat(line, 100000)
	b.SetBytes(int64(len(line)))
	var r produce.Record
	b.ResetTimer()
	for i := 0; i < b.N; {
		src := produce.NewLineSource(bytes.NewReader(in), produce.LineConfig{KeyDelimiter: []byte(":")})
		for ; i < b.N && src.Next(&r) == nil; i++ {
		}
	}
}
