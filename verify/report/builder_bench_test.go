package report

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/check"
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

// BenchmarkReportMillionLost builds and renders the report of a 100-second
// history of a million acknowledged values, all lost but the last one: the
// page's size (page-B) and the markers drawn stay bounded by the buckets,
// not the anomalies. One iteration is the whole history: check, place,
// render.
func BenchmarkReportMillionLost(b *testing.B) {
	const n = 1_000_000
	var size, markers int
	b.ReportAllocs()
	for b.Loop() {
		c := check.New(check.Options{})
		bd := NewBuilder(Options{})
		add := func(e history.Event) {
			if err := c.Add(e); err != nil {
				b.Fatal(err)
			}
			bd.Add(e)
		}
		for i := range n {
			add(history.Event{Type: history.TypeSend, Time: t0.Add(time.Duration(i) * 100 * time.Microsecond), Status: history.StatusOK,
				Seq: uint64(i), Topic: "t", Partition: int32(i % 6), Offset: int64(i / 6)})
		}
		add(history.Event{Type: history.TypeDeliver, Time: t0.Add(100 * time.Second), Seq: n - 1, Topic: "t", Partition: (n - 1) % 6, Offset: (n - 1) / 6})
		bd.Place(c)
		s := bd.Series()
		var buf bytes.Buffer
		if err := Render(&buf, Page{Title: "million lost", Verdict: "VIOLATED", Class: "bad", Series: s}); err != nil {
			b.Fatal(err)
		}
		size, markers = buf.Len(), len(s.Markers)
	}
	b.ReportMetric(float64(size), "page-B")
	b.ReportMetric(float64(markers), "markers")
}
