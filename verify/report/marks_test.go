package report

import (
	"maps"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// both feeds events to a checker and a builder, places the checker's
// anomalies and returns the series and the checker's counts.
func both(t *testing.T, opts Options, events []history.Event) (Series, check.Counts) {
	t.Helper()
	c := check.New(check.Options{MaxExamples: 2})
	b := NewBuilder(opts)
	for _, e := range events {
		if err := c.Add(e); err != nil {
			t.Fatalf("Add(%+v): %v", e, err)
		}
		b.Add(e)
	}
	b.Place(c)
	return b.Series(), c.Result()
}

func send(ms int, producer uint32, seq uint64, part int32, off int64) history.Event {
	e := ack(ms, part, off)
	e.Producer, e.Seq = producer, seq
	return e
}

func deliverValue(ms int, producer uint32, seq uint64, part int32, off int64) history.Event {
	e := deliver(ms, part, off)
	e.Producer, e.Seq = producer, seq
	return e
}

// markerCounts sums the markers by bucket start (ms) and anomaly.
func markerCounts(s Series) map[string]map[int64]uint64 {
	out := map[string]map[int64]uint64{}
	for _, m := range s.Markers {
		if out[m.Anomaly] == nil {
			out[m.Anomaly] = map[int64]uint64{}
		}
		out[m.Anomaly][(m.At / s.BucketWidth * s.BucketWidth).Milliseconds()] += m.Count
	}
	return out
}

// Every anomaly gets marked in the bucket its value was sent in, not only
// the examples, and every partition counts all of its anomalies.
func TestPlaceMarksEveryAnomalyInItsBucket(t *testing.T) {
	var events []history.Event
	off := [2]int64{}
	for i := range 3000 { // 3 s of sends, one per ms, alternating partitions
		part := int32(i % 2)
		events = append(events, send(i, 0, uint64(i), part, off[part]))
		// Lost: seqs 100..149 (second 0, partition 0 and 1) and 2000..2299
		// (second 2); every other value is delivered.
		lost := (i >= 100 && i < 150) || (i >= 2000 && i < 2300)
		if !lost {
			events = append(events, deliverValue(i+1, 0, uint64(i), part, off[part]))
		}
		off[part]++
	}
	// Redelivered twice: seq 1500 (second 1, partition 0 at offset 750).
	events = append(events, deliverValue(3100, 0, 1500, 0, 750), deliverValue(3101, 0, 1500, 0, 750))
	// A corrupt record at an offset of its own, delivered at 3.2 s.
	events = append(events, history.Event{Type: history.TypeDeliver, Time: at(3200), ValueStatus: history.ValueCorrupt, Topic: "t", Partition: 1, Offset: 5000})

	s, counts := both(t, Options{}, events)
	if counts.Lost != 350 || counts.Redeliveries != 2 || counts.Corrupt != 1 {
		t.Fatalf("planted lost 350, redeliveries 2, corrupt 1; counted %+v", counts)
	}
	want := map[string]map[int64]uint64{
		"lost":         {0: 50, 2000: 300},
		"redeliveries": {1000: 2},
		"corrupt":      {3000: 1},
	}
	if got := markerCounts(s); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("markers by bucket %v, want %v", got, want)
	}
	if !s.AllAnomalies || s.Unmarked != 0 {
		t.Fatalf("all %v unmarked %d", s.AllAnomalies, s.Unmarked)
	}
	parts := map[int32]map[string]uint64{}
	for _, p := range s.Partitions {
		parts[p.Partition] = p.Anomalies
	}
	wantParts := map[int32]map[string]uint64{0: {"lost": 175, "redeliveries": 2}, 1: {"lost": 175, "corrupt": 1}}
	if !maps.EqualFunc(parts, wantParts, maps.Equal) {
		t.Fatalf("partition anomalies %v, want %v", parts, wantParts)
	}
	for _, m := range s.Markers {
		if m.Anomaly == "lost" && m.At.Milliseconds() == 2500 && m.Label != "300 lost" {
			t.Errorf("label %q", m.Label)
		}
	}
}

// 200,000 lost values make a handful of markers: the series is bounded by
// buckets and kinds, not by the anomalies (BenchmarkReportMillionLost
// renders a page of a million).
func TestPlaceIsBoundedByBuckets(t *testing.T) {
	const n = 200_000
	c := check.New(check.Options{})
	b := NewBuilder(Options{MaxBuckets: 16})
	add := func(e history.Event) {
		if err := c.Add(e); err != nil {
			t.Fatal(err)
		}
		b.Add(e)
	}
	for i := range n { // 20 s of sends, all lost but the last, which is read
		e := send(i/10, 0, uint64(i), 0, int64(i))
		e.Time = t0.Add(time.Duration(i) * 100 * time.Microsecond)
		add(e)
	}
	add(deliverValue(20_000, 0, n-1, 0, n-1))
	b.Place(c)
	s := b.Series()
	var total uint64
	for _, m := range s.Markers {
		total += m.Count
	}
	if total != n-1 || len(s.Markers) > 16 || len(s.Buckets) > 16 {
		t.Fatalf("%d markers over %d buckets counting %d; want at most 16 counting %d", len(s.Markers), len(s.Buckets), total, n-1)
	}
	// 20 s in buckets of 2 s (widened from 1 s at 16 s): each full bucket
	// holds 20000 values.
	if s.BucketWidth != 2*time.Second || s.Markers[1].Count != 20000 {
		t.Fatalf("width %v, second marker %+v", s.BucketWidth, s.Markers[1])
	}
}

// An acks=0 value never delivered is in no partition; a value the history
// never timed has no time to be marked at.
func TestPlaceUnplacedAndUnmarked(t *testing.T) {
	events := []history.Event{
		send(0, 0, 0, 0, 0), deliverValue(10, 0, 0, 0, 0),
		{Type: history.TypeSend, Time: at(20), Producer: 1, Seq: 0, Status: history.StatusOK, Topic: "t", Partition: 0, Offset: history.NoOffset},
		{Type: history.TypeSend, Producer: 2, Seq: 0, Status: history.StatusOK, Topic: "t", Partition: 1, Offset: 0}, // unseen, untimed
		deliverValue(40, 0, 1, 0, 2),
	}
	s, _ := both(t, Options{}, events)
	if s.Unplaced["lost"] != 1 || s.Unmarked != 1 {
		t.Fatalf("unplaced %v unmarked %d; want one lost value in no partition, one untimed", s.Unplaced, s.Unmarked)
	}
}

func TestTimelineKeepsOneCheckpointPerBucket(t *testing.T) {
	var tl timeline
	w := time.Second
	for i := range 5000 { // 5 s, one key per ms, one key back now and then
		tl.note(uint64(i), time.Duration(i)*time.Millisecond, w)
		tl.note(uint64(i/2), time.Duration(i)*time.Millisecond, w)
	}
	if len(tl) != 5 {
		t.Fatalf("%d checkpoints, want one per second", len(tl))
	}
	for key, want := range map[uint64]time.Duration{0: 0, 999: 0, 1000: time.Second, 4999: 4 * time.Second, 9999: 4 * time.Second} {
		if got, ok := tl.find(key); !ok || got != want {
			t.Errorf("find(%d) = %v, want %v", key, got, want)
		}
	}
	tl.compact(2 * w)
	if len(tl) != 3 {
		t.Fatalf("%d checkpoints after widening to 2 s, want 3", len(tl))
	}
	if got, _ := tl.find(1500); got != 0 {
		t.Errorf("find(1500) after widening = %v, want the bucket from 0", got)
	}
}
