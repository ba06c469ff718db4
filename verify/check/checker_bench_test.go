package check

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// BenchmarkChecker10M checks a history of 10,000,000 messages: 8 producers,
// 12 partitions read by 4 consumers, each message acknowledged and
// delivered with times (so the poll, commit and realtime lag checks run),
// a commit every 100 deliveries of a partition, one in 1000 written twice
// to the log and one in 997 delivered twice. It reports the time per
// message and the heap the Checker holds once Result has run.
//
//	go test ./verify/check -run '^$' -bench Checker10M -benchtime 1x
func BenchmarkChecker10M(b *testing.B) {
	const (
		messages   = 10_000_000
		producers  = 8
		partitions = 12
	)
	var heap uint64
	for b.Loop() {
		before := heapInUse()
		c := New(Options{})
		feed10M(b, c, messages, producers, partitions)
		res := c.Result()
		if res.Lost != 0 || res.LogDuplicates != messages/1000 || res.Redeliveries == 0 ||
			res.PollSkips != 0 || res.CommitAhead != 0 || res.NonmonotonicPolls != res.Redeliveries || res.RealtimeLag.Samples == 0 {
			b.Fatalf("unexpected counts %+v", countsOnly(res))
		}
		heap = heapInUse() - before
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/messages, "ns/msg")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heap)/messages, "heap-B/msg")
}

// feed10M adds the benchmark's history to c.
func feed10M(b *testing.B, c *Checker, messages, producers, partitions int) {
	next := make([]int64, partitions)      // next offset per partition
	delivered := make([]int64, partitions) // deliveries per partition
	consumers := []string{"c0/0", "c1/0", "c2/0", "c3/0"}
	t0 := time.Unix(1_800_000_000, 0)
	add := func(e history.Event, i int) {
		e.Time = t0.Add(time.Duration(i) * time.Microsecond)
		if err := c.Add(e); err != nil {
			b.Fatal(err)
		}
	}
	deliver := func(p uint32, seq uint64, part int32, off int64, i int) {
		d := del(p, seq, part, off)
		d.Consumer = consumers[int(part)%len(consumers)]
		add(d, i)
		if delivered[part]++; delivered[part]%100 == 0 {
			add(history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: d.Consumer, Topic: "t", Partition: part, Offset: off + 1}, i)
		}
	}
	for i := range messages {
		p, seq := uint32(i%producers), uint64(i/producers)
		part := int32((seq + uint64(p)) % uint64(partitions))
		off := next[part]
		next[part]++
		add(ack(p, seq, part, off), 2*i)
		deliver(p, seq, part, off, 2*i+1)
		if i%1000 == 999 { // a retried write: the value again, later in the log
			dup := next[part]
			next[part]++
			deliver(p, seq, part, dup, 2*i+1)
		}
		if i%997 == 996 {
			deliver(p, seq, part, off, 2*i+1)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkCheckHistory measures the offline path, JSON lines to counts,
// per line.
func BenchmarkCheckHistory(b *testing.B) {
	var buf bytes.Buffer
	rec := history.NewRecorder(&buf, nil)
	for seq := range uint64(50_000) {
		p, part, off := uint32(seq%4), int32(seq%6), int64(seq/6)
		for _, e := range []history.Event{ack(p, seq, part, off), del(p, seq, part, off)} {
			if err := rec.Record(e); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := rec.Record(history.Event{Type: history.TypeEnd, Outcome: history.OutcomeComplete}); err != nil {
		b.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		b.Fatal(err)
	}
	history := buf.Bytes()
	lines := bytes.Count(history, []byte("\n"))
	b.SetBytes(int64(len(history)))
	for b.Loop() {
		res, err := Read(bytes.NewReader(history), AtLeastOnce, Options{})
		if err != nil || !res.Verdict.Held {
			b.Fatalf("check: %v, %+v", err, res.Verdict)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(lines), "ns/line")
}

// BenchmarkCheckerSparseOffsets checks 1,000,000 messages whose offsets
// are spread out (offset = i*1024, as a compacted or sparse log might
// show): memory must follow the records, not the span of offsets.
//
//	go test ./verify/check -run '^$' -bench SparseOffsets -benchtime 1x
func BenchmarkCheckerSparseOffsets(b *testing.B) {
	const messages = 1_000_000
	var heap uint64
	for b.Loop() {
		before := heapInUse()
		c := New(Options{})
		for i := range uint64(messages) {
			off := int64(i) * 1024
			for _, e := range []history.Event{ack(0, i, 0, off), del(0, i, 0, off)} {
				if err := c.Add(e); err != nil {
					b.Fatal(err)
				}
			}
		}
		if res := c.Result(); res.Lost+res.Unseen != 0 || res.Delivered != messages {
			b.Fatalf("unexpected counts %+v", countsOnly(res))
		}
		heap = heapInUse() - before
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heap)/messages, "heap-B/msg")
}

// BenchmarkChecker100kProducers checks 100,000 producers of 5 values each
// over 12 partitions: the cost per producer.
//
//	go test ./verify/check -run '^$' -bench 100kProducers -benchtime 1x
func BenchmarkChecker100kProducers(b *testing.B) {
	const producers, each, partitions = 100_000, 5, 12
	var heap uint64
	for b.Loop() {
		before := heapInUse()
		c := New(Options{})
		next := make([]int64, partitions)
		for p := range uint32(producers) {
			for seq := range uint64(each) {
				part := int32((uint64(p) + seq) % partitions)
				off := next[part]
				next[part]++
				for _, e := range []history.Event{ack(p, seq, part, off), del(p, seq, part, off)} {
					if err := c.Add(e); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		if res := c.Result(); res.Lost+res.Unseen != 0 || res.Delivered != producers*each {
			b.Fatalf("unexpected counts %+v", countsOnly(res))
		}
		heap = heapInUse() - before
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heap)/producers, "heap-B/producer")
}
