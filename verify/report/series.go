// Package report draws a picture of a verify run: a [Series] of per-time-
// slice counts (sends, acknowledgements and deliveries, acknowledgement
// latency, consumer lag, crashes and rebalances) with the fault windows and
// the anomalies, built from a history in bounded memory by a [Builder], and
// rendered with the checker's counts and examples as one self-contained HTML
// page by [Render].
package report

import "time"

// Series is a run's time series. Buckets are consecutive time slices of
// BucketWidth from Start; a long run gets wider buckets (see [Builder]) so
// that the series stays bounded.
type Series struct {
	// Start is the time of the first bucket's start.
	Start time.Time `json:"start"`
	// BucketWidth is the width of every bucket (bucket_ms in JSON).
	BucketWidth time.Duration `json:"-"`
	// Buckets are the time slices, in order, with no gaps.
	Buckets []Bucket `json:"buckets"`
	// End is the time of the latest event, as an offset from Start (end_ms
	// in JSON): the last bucket covers only up to it.
	End time.Duration `json:"-"`
	// Faults are the fault windows, in the order they opened.
	Faults []FaultWindow `json:"faults"`
	// Markers place the anomalies in time. With AllAnomalies, one marker
	// per bucket and anomaly counts every anomaly whose value was sent in
	// the bucket; without, each marker is one of the checker's examples.
	Markers []Marker `json:"markers"`
	// AllAnomalies is set when Markers and the partitions' Anomalies count
	// every anomaly the checker counted (see [Builder.Place]), not only its
	// examples.
	AllAnomalies bool `json:"all_anomalies"`
	// Unplaced counts, by anomaly, those in no partition (an acks=0 value
	// never delivered); Unmarked those with no time to mark them at.
	Unplaced map[string]uint64 `json:"unplaced_anomalies,omitempty"`
	Unmarked uint64            `json:"unmarked_anomalies,omitempty"`
	// Partitions are per-partition totals, by topic then partition.
	Partitions []PartitionStats `json:"partitions"`
	// Untimed counts events that carried no time and so are in no bucket.
	Untimed uint64 `json:"untimed,omitempty"`
	// Dropped counts fault windows left out to bound the series.
	Dropped uint64 `json:"dropped,omitempty"`
}

// Bucket is one time slice of a [Series]. Counts are events in the slice;
// divide by the slice's width for rates.
type Bucket struct {
	// At is the slice's start, as an offset from the series' start (t_ms
	// in JSON).
	At time.Duration `json:"-"`
	// Sends counts send events by their time; Acks, Failed and
	// Indeterminate split them by outcome.
	Sends         uint64 `json:"sends"`
	Acks          uint64 `json:"acks"`
	Failed        uint64 `json:"failed"`
	Indeterminate uint64 `json:"indeterminate"`
	// Deliveries counts deliver events.
	Deliveries uint64 `json:"deliveries"`
	// AckP50 and AckP99 are percentiles of the acknowledgement latency of
	// the slice's acks (ack_p50_ms, ack_p99_ms in JSON); zero when no ack
	// carried a latency.
	AckP50 time.Duration `json:"-"`
	AckP99 time.Duration `json:"-"`
	// Lag is the consumer lag at the slice's end: per partition, the
	// acknowledged log end minus the consumers' position (the furthest of
	// the committed offset and the offset after the last delivery), summed.
	Lag int64 `json:"lag"`
	// Crashes counts client crashes in the slice; Rebalances counts the
	// assign and revoke events of group rebalances.
	Crashes    uint64 `json:"crashes"`
	Rebalances uint64 `json:"rebalances"`
}

// FaultWindow is one fault's window, or a one-off fault (a crash) when
// End equals Start.
type FaultWindow struct {
	// Name is the fault, Target what it hit (may be empty).
	Name   string `json:"name"`
	Target string `json:"target,omitempty"`
	// Start and End are offsets from the series' start (start_ms, end_ms in
	// JSON). A window still open at the end of the history ends at the
	// history's last time and is marked Open.
	Start time.Duration `json:"-"`
	End   time.Duration `json:"-"`
	Open  bool          `json:"open,omitempty"`
}

// Marker is a number of anomalies of one kind placed at the time their
// values were sent: a bucket's count, or one example.
type Marker struct {
	// Anomaly is the anomaly's key (as in the checker's counts).
	Anomaly string `json:"anomaly"`
	// Count is how many anomalies the marker stands for.
	Count uint64 `json:"count"`
	// Label says what the marker stands for: the count and anomaly, or
	// for an example its value and where it was seen.
	Label string `json:"label"`
	// At is an offset from the series' start (t_ms in JSON).
	At time.Duration `json:"-"`
}

// PartitionStats are one partition's totals.
type PartitionStats struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Acks counts acknowledged sends placed in the partition; End is one
	// past the highest acknowledged offset (0 when none).
	Acks uint64 `json:"acks"`
	End  int64  `json:"end"`
	// Deliveries counts deliveries from the partition; Position is one past
	// the highest delivered offset (0 when none).
	Deliveries uint64 `json:"deliveries"`
	Position   int64  `json:"position"`
	// Committed is the highest offset committed for the partition (the
	// next offset to read), or -1 when none was.
	Committed int64 `json:"committed"`
	// Anomalies counts the partition's anomalies, by anomaly: all of them
	// when the series has AllAnomalies, else the checker's examples.
	Anomalies map[string]uint64 `json:"anomalies,omitempty"`
}

// span is the time bucket i covers: its width, or for the last bucket the
// part of it the history covers (at least a tenth of it).
func (s Series) span(i int) time.Duration {
	if i == len(s.Buckets)-1 {
		return min(max(s.End-s.Buckets[i].At, s.BucketWidth/10), s.BucketWidth)
	}
	return s.BucketWidth
}

// mid is the middle of the time bucket i covers, in seconds from the start.
func (s Series) mid(i int) float64 { return (s.Buckets[i].At + s.span(i)/2).Seconds() }

// Rate returns n events of bucket i per second: n over the bucket's width,
// or for the last bucket over the part of it the history covers (at least
// a tenth of it), so that a run's end does not look like a fall.
func (s Series) Rate(i int, n uint64) float64 {
	span := s.span(i)
	if span <= 0 {
		return 0
	}
	return float64(n) / span.Seconds()
}
