package broker_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
)

// BenchmarkCheckBatch measures the produce-batch walk the broker adds
// before kfake stores a batch: 1000 records with values of 0 to 10 KB
// (about 5 MB).
func BenchmarkCheckBatch(b *testing.B) {
	recs := goodRecords(1000)
	zstd, typ := compressed(b, recs, kgo.ZstdCompression())
	for name, batch := range map[string][]byte{"uncompressed": batchOf(recs, 1000, 0), "zstd": batchOf(zstd, 1000, typ)} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(recs)))
			b.ReportAllocs()
			for b.Loop() {
				if err := broker.CheckBatch(batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
