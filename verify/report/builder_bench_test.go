package report

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// BenchmarkBuilderAdd feeds one event per iteration, alternating an
// acknowledged send (with a latency) and its delivery, 1000 events a second
// of history time over 6 partitions, and reports the Builder's buckets and the live heap at
// the end: both must stay flat however long the history (b.N) is.
func BenchmarkBuilderAdd(b *testing.B) {
	bd := NewBuilder(Options{})
	var off [6]int64
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p := int32(i / 2 % 6)
		e := history.Event{Type: history.TypeSend, Time: t0.Add(time.Duration(i) * time.Millisecond), Status: history.StatusOK, Topic: "t", Partition: p, Offset: off[p],
			Latency: time.Duration(1+i%50) * time.Millisecond}
		if i%2 == 1 {
			e.Type = history.TypeDeliver
			off[p]++
		}
		bd.Add(e)
		i++
	}
	b.StopTimer()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(len(bd.buckets)), "buckets")
	b.ReportMetric(float64(m.HeapAlloc), "heap-B")
	runtime.KeepAlive(bd)
}

// BenchmarkRender renders the sample page (a 20-second run: 2,000 sends
// and deliveries, three faults, two anomalies) to HTML: charts and page.
func BenchmarkRender(b *testing.B) {
	p := samplePage()
	b.ReportAllocs()
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, p); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n), "page-B")
}
