package consume

import (
	"context"
	"io"
	"testing"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/testutil"
)

// BenchmarkRunExit measures partition-mode consumption of 3 partitions of
// 100-byte records to the end, rendered with the default template into a
// discarded buffered writer (compare: kcat -C -e -o beginning > /dev/null).
func BenchmarkRunExit(b *testing.B) {
	const perPartition = 100_000
	_, f := startBroker(b, map[string]int32{"t": 3})
	value := sarama.ByteEncoder(make([]byte, 100))
	msgs := make([]*sarama.ProducerMessage, 0, 10_000)
	for i := range 3 * perPartition {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: "t", Partition: int32(i % 3), Value: value})
		if len(msgs) == cap(msgs) {
			testutil.ProduceBatch(b, f, msgs...)
			msgs = msgs[:0]
		}
	}
	tpl, err := Compile(DefaultFormat, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		stats, err := Run(context.Background(), f, Options{Topics: []string{"t"}, Exit: true}, NewTemplateSink(io.Discard, tpl))
		if err != nil || stats.Records != 3*perPartition {
			b.Fatalf("%+v, %v", stats, err)
		}
		b.ReportMetric(stats.RecordsPerSecond(), "records/s")
	}
}
