package verify

import (
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
	"github.com/kq-dev/kq/verify/report"
)

// BenchmarkRecordValue is the in-run work of one 100-byte value in the
// verify process beyond the Kafka client: a producer encodes it, its
// acknowledgement is recorded alone (as a producer's Acked does, the acks
// of a produced batch one after another: batches of 32 values of one
// producer to one partition), a consumer decodes it and records its
// delivery in a chunk of recordChunk of one partition (as a claim's
// doneRecords does), each event fed to the run's sinks (the checker and the
// report's builder), no history file. It reports time and allocations per
// value; the checker's counts are checked at the end, so the benchmark
// cannot pass by feeding nothing.
//
//	go test ./verify -run '^$' -bench RecordValue -benchmem
func BenchmarkRecordValue(b *testing.B) {
	const producers, partitions, batch = 4, 3, 32
	c := check.New(check.Options{})
	rec := history.NewRecorder(nil, sinks{c, report.NewBuilder(report.Options{})})
	topic := "verify-input"
	var next [partitions]int64
	var seqs [producers]uint64
	var done [partitions][]history.Event
	var value []byte
	var dec seqmsg.Decoder
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		blk := n / batch
		p, part := uint32(blk%producers), int32(blk/producers%partitions)
		seq := seqs[p]
		seqs[p]++
		value = seqmsg.Encode(value[:0], seqmsg.Value{Producer: p, Seq: seq}, 100)
		off := next[part]
		next[part]++
		e := history.NewSend(p, seq, history.StatusOK, "")
		e.Topic, e.Partition, e.Offset, e.Latency = topic, part, off, time.Millisecond
		if err := rec.Record(e); err != nil {
			b.Fatal(err)
		}
		done[part] = history.AppendDelivery(done[part], &dec, "c0/0", topic, part, off, value)
		if len(done[part]) == recordChunk {
			if err := rec.RecordAll(done[part]); err != nil {
				b.Fatal(err)
			}
			done[part] = done[part][:0]
		}
		n++
	}
	for _, es := range done {
		if err := rec.RecordAll(es); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	res := c.Result()
	if res.Acked != uint64(n) || res.Delivered != uint64(n) || res.Lost != 0 || res.Redeliveries != 0 || res.Corrupt != 0 {
		b.Fatalf("%d values: acked %d, delivered %d, lost %d, redelivered %d, corrupt %d", n, res.Acked, res.Delivered, res.Lost, res.Redeliveries, res.Corrupt)
	}
}
