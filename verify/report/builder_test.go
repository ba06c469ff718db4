package report

import (
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

var t0 = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func ack(ms int, p int32, off int64) history.Event {
	return history.Event{Type: history.TypeSend, Time: at(ms), Status: history.StatusOK, Topic: "t", Partition: p, Offset: off}
}

func deliver(ms int, p int32, off int64) history.Event {
	return history.Event{Type: history.TypeDeliver, Time: at(ms), Topic: "t", Partition: p, Offset: off}
}

func fault(ms int, name, phase string) history.Event {
	return history.Event{Type: history.TypeFault, Time: at(ms), Name: name, Phase: phase, Target: "n1"}
}

func build(opts Options, events ...history.Event) Series {
	b := NewBuilder(opts)
	for _, e := range events {
		b.Add(e)
	}
	return b.Series()
}

func TestBucketsCountEventsBySecond(t *testing.T) {
	s := build(Options{},
		ack(0, 0, 0), ack(400, 0, 1),
		history.Event{Type: history.TypeSend, Time: at(999), Status: history.StatusInfo, Partition: -1, Offset: -1},
		history.Event{Type: history.TypeSend, Time: at(2100), Status: history.StatusFail, Partition: -1, Offset: -1},
		deliver(2500, 0, 0), deliver(2600, 0, 1),
	)
	if s.End != 2600*time.Millisecond || s.Rate(0, 3) != 3 || s.Rate(2, 3) != 5 {
		t.Errorf("end %v, rates %v and %v; want 2.6s, 3/s in a full second, 5/s in the last 0.6s", s.End, s.Rate(0, 3), s.Rate(2, 3))
	}
	if s.BucketWidth != time.Second || len(s.Buckets) != 3 || !s.Start.Equal(t0) {
		t.Fatalf("width %v, %d buckets, start %v; want 1s, 3, %v", s.BucketWidth, len(s.Buckets), s.Start, t0)
	}
	want := []Bucket{
		{At: 0, Sends: 3, Acks: 2, Indeterminate: 1, Lag: 2},
		{At: time.Second, Lag: 2},
		{At: 2 * time.Second, Sends: 1, Failed: 1, Deliveries: 2, Lag: 0},
	}
	for i, w := range want {
		if s.Buckets[i] != w {
			t.Errorf("bucket %d = %+v, want %+v", i, s.Buckets[i], w)
		}
	}
}

func TestLongRunMergesBucketsAndKeepsTotals(t *testing.T) {
	b := NewBuilder(Options{MaxBuckets: 4})
	for i := range 10 { // one ack per second for 10 s: 10 buckets of 1 s do not fit in 4
		b.Add(ack(i*1000, 0, int64(i)))
	}
	s := b.Series()
	if s.BucketWidth != 4*time.Second || len(s.Buckets) != 3 {
		t.Fatalf("width %v with %d buckets, want 4s with 3", s.BucketWidth, len(s.Buckets))
	}
	var acks uint64
	for i, bk := range s.Buckets {
		acks += bk.Acks
		if bk.At != time.Duration(i)*4*time.Second {
			t.Errorf("bucket %d at %v", i, bk.At)
		}
	}
	if acks != 10 || s.Buckets[0].Acks != 4 || s.Buckets[2].Acks != 2 {
		t.Errorf("acks per bucket %d %d %d (total %d), want 4 4 2", s.Buckets[0].Acks, s.Buckets[1].Acks, s.Buckets[2].Acks, acks)
	}
	if s.Buckets[1].Lag != 8 || s.Buckets[2].Lag != 10 {
		t.Errorf("lag %d, %d; want the lag at each merged bucket's end: 8, 10", s.Buckets[1].Lag, s.Buckets[2].Lag)
	}
}

func TestLagUsesCommitsAndDeliveriesPerPartition(t *testing.T) {
	b := NewBuilder(Options{})
	for i := range 5 {
		b.Add(ack(0, 0, int64(i)))
		b.Add(ack(0, 1, int64(i)))
	}
	b.Add(deliver(1000, 0, 2)) // partition 0 read up to offset 2: lag 2 there, 5 in partition 1
	s := b.Series()
	if got := s.Buckets[1].Lag; got != 7 {
		t.Fatalf("lag %d, want 7", got)
	}
	b.Add(deliver(1500, 0, 0)) // a redelivery behind the position changes nothing
	if got := b.Series().Buckets[1].Lag; got != 7 {
		t.Fatalf("lag after a redelivery %d, want 7", got)
	}
	b.moveLag(b.parts.commit("t", 1, 5)) // partition 1 committed to its end
	if b.lag != 2 {
		t.Fatalf("lag after commit %d, want 2", b.lag)
	}
	ps := b.Series().Partitions
	if len(ps) != 2 || ps[0].Acks != 5 || ps[0].End != 5 || ps[0].Deliveries != 2 || ps[0].Position != 3 || ps[1].Committed != 5 {
		t.Fatalf("partitions %+v", ps)
	}
}

func TestFaultWindowsPairStartsAndEnds(t *testing.T) {
	s := build(Options{},
		ack(0, 0, 0),
		fault(1000, "leader-move", history.PhaseStart),
		fault(1500, "crash-consumer", ""),
		fault(2000, "latency", history.PhaseStart),
		fault(3000, "leader-move", history.PhaseEnd),
		fault(3500, "drop-response", history.PhaseEnd), // no start: a point
		ack(5000, 0, 1),
	)
	want := []FaultWindow{
		{Name: "leader-move", Target: "n1", Start: time.Second, End: 3 * time.Second},
		{Name: "crash-consumer", Target: "n1", Start: 1500 * time.Millisecond, End: 1500 * time.Millisecond},
		{Name: "latency", Target: "n1", Start: 2 * time.Second, End: 5 * time.Second, Open: true},
		{Name: "drop-response", Target: "n1", Start: 3500 * time.Millisecond, End: 3500 * time.Millisecond},
	}
	if len(s.Faults) != len(want) {
		t.Fatalf("windows %+v, want %+v", s.Faults, want)
	}
	for i := range want {
		if s.Faults[i] != want[i] {
			t.Errorf("window %d = %+v, want %+v", i, s.Faults[i], want[i])
		}
	}
	if s.Buckets[1].Crashes != 1 {
		t.Errorf("crashes in second 1: %d, want 1", s.Buckets[1].Crashes)
	}
}

func TestFaultsRecordedLateLandInTheirBuckets(t *testing.T) {
	// kq writes a run's fault windows after the run, with their own times.
	s := build(Options{}, ack(0, 0, 0), ack(4000, 0, 1), fault(1200, "crash-producer", ""))
	if s.Buckets[1].Crashes != 1 || len(s.Faults) != 1 || s.Faults[0].Start != 1200*time.Millisecond {
		t.Fatalf("buckets %+v faults %+v", s.Buckets, s.Faults)
	}
}

func TestWindowsAreBounded(t *testing.T) {
	b := NewBuilder(Options{MaxWindows: 2})
	b.Add(ack(0, 0, 0))
	for i := range 3 {
		b.Add(fault(i*100, "crash-producer", ""))
	}
	s := b.Series()
	if len(s.Faults) != 2 || s.Dropped != 1 {
		t.Fatalf("%d windows, %d dropped; want 2, 1", len(s.Faults), s.Dropped)
	}
}

func TestWatchedExamplesGetTimesFaultsAndMarkers(t *testing.T) {
	b := NewBuilder(Options{})
	b.Watch("lost", 7, []check.Example{{Value: "0/5", Topic: "t", Partition: 1, Offset: 4}})
	b.Watch("unknown", 1, []check.Example{{Topic: "t", Partition: 0, Offset: 9}})
	send := func(ms int, seq uint64, status history.Status) history.Event {
		return history.Event{Type: history.TypeSend, Time: at(ms), Producer: 0, Seq: seq, Status: status, Topic: "t", Partition: 1, Offset: int64(seq - 1)}
	}
	b.Add(ack(0, 0, 0))
	b.Add(fault(1000, "leader-move", history.PhaseStart))
	b.Add(send(1200, 5, history.StatusInfo)) // a first try, indeterminate
	b.Add(send(1250, 5, history.StatusOK))   // the retry acknowledged
	b.Add(send(1300, 6, history.StatusOK))   // another value: not watched
	b.Add(fault(1500, "leader-move", history.PhaseEnd))
	b.Add(history.Event{Type: history.TypeDeliver, Time: at(2000), Topic: "t", Partition: 0, Offset: 9, ValueStatus: history.ValueUnknown})

	s := b.Series()
	want := []Marker{{Anomaly: "lost", Count: 1, Label: "0/5 t/1@4", At: 1200 * time.Millisecond}, {Anomaly: "unknown", Count: 1, Label: "– t/0@9", At: 2 * time.Second}}
	if len(s.Markers) != 2 || s.Markers[0] != want[0] || s.Markers[1] != want[1] {
		t.Fatalf("markers %+v, want %+v", s.Markers, want)
	}
	as := b.Anomalies()
	lost := ExampleRow{Value: "0/5", Where: "t/1@4", Sent: "+1.200s", Acked: "+1.250s", Delivered: "–", Faults: "leader-move n1"}
	if len(as) != 2 || as[0].Anomaly != "lost" || as[0].Count != 7 || len(as[0].Examples) != 1 || as[0].Examples[0] != lost {
		t.Fatalf("anomalies %+v, want lost first with %+v", as, lost)
	}
	if got := as[1].Examples[0]; got.Delivered != "+2.000s" || got.Sent != "–" || got.Faults != "–" {
		t.Errorf("unknown value's example %+v", got)
	}
	for _, p := range s.Partitions {
		want := map[int32]uint64{0: 1, 1: 1}[p.Partition]
		if p.Topic == "t" && uint64(len(p.Anomalies)) != want {
			t.Errorf("partition %d anomalies %v", p.Partition, p.Anomalies)
		}
	}
}

func TestLatencyPercentilesPerBucket(t *testing.T) {
	b := NewBuilder(Options{})
	for i := 1; i <= 100; i++ { // second 0: 1..100 ms; second 1: one slow ack of 2 s
		e := ack(i, 0, int64(i))
		e.Latency = time.Duration(i) * time.Millisecond
		b.Add(e)
	}
	slow := ack(1500, 0, 101)
	slow.Latency = 2 * time.Second
	b.Add(slow)
	b.Add(ack(2500, 0, 102)) // no latency known: no percentile
	s := b.Series()
	p50, p99 := s.Buckets[0].AckP50, s.Buckets[0].AckP99
	if p50 < 45*time.Millisecond || p50 > 55*time.Millisecond || p99 < 93*time.Millisecond || p99 > 105*time.Millisecond {
		t.Fatalf("p50 %v p99 %v, want about 50ms and 99ms", p50, p99)
	}
	if p := s.Buckets[1].AckP50; p < 1900*time.Millisecond || p > 2100*time.Millisecond {
		t.Errorf("second 1 p50 %v, want about 2s", p)
	}
	if s.Buckets[2].AckP99 != 0 {
		t.Errorf("second 2 p99 %v, want 0 (no latency recorded)", s.Buckets[2].AckP99)
	}
}

func TestCommitsAndRebalances(t *testing.T) {
	b := NewBuilder(Options{})
	for i := range 10 {
		b.Add(ack(0, 0, int64(i)))
	}
	b.Add(history.Event{Type: history.TypeAssign, Time: at(1100), Consumer: "c1", Topic: "t", Partitions: []int32{0}})
	b.Add(history.Event{Type: history.TypeCommit, Time: at(1200), Status: history.StatusOK, Topic: "t", Partition: 0, Offset: 6})
	b.Add(history.Event{Type: history.TypeCommit, Time: at(1300), Status: history.StatusInfo, Topic: "t", Partition: 0, Offset: 9})
	s := b.Series()
	if s.Buckets[0].Lag != 10 || s.Buckets[1].Lag != 4 || s.Buckets[1].Rebalances != 1 || s.Partitions[0].Committed != 6 {
		t.Fatalf("buckets %+v partitions %+v; want lag 10 then 4 (a failed commit does not count), one rebalance", s.Buckets, s.Partitions)
	}
}

func TestUntimedEventsCountButFallInNoBucket(t *testing.T) {
	e := ack(0, 0, 0)
	e.Time = time.Time{}
	s := build(Options{}, e)
	if len(s.Buckets) != 0 || s.Untimed != 1 || s.Partitions[0].Acks != 1 {
		t.Fatalf("%d buckets, untimed %d, partitions %+v", len(s.Buckets), s.Untimed, s.Partitions)
	}
}
