package produce

import (
	"errors"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ErrNotDelivered is wrapped by the error [Run] returns when some records
// failed or their fate is unknown.
var ErrNotDelivered = errors.New("records not delivered")

// ErrInDoubt is wrapped by the error of a [Failure] for a record that may
// or may not have been written: sent but not answered before the flush
// timeout, or given up after an attempt that may have written it (a
// timeout, a cut connection, NOT_ENOUGH_REPLICAS_AFTER_APPEND).
var ErrInDoubt = errors.New("the record may or may not have been written")

// Ack is one record the broker acknowledged.
type Ack struct {
	// Pos is where the record came from.
	Pos Position
	// Partition is the partition it was written to.
	Partition int32
	// Offset is its offset, or -1 with acks=0.
	Offset int64
	// Timestamp is its timestamp as produced.
	Timestamp time.Time
}

// Failure is one record that was not written, or that may not have been
// ([ErrInDoubt]).
type Failure struct {
	// Pos is where the record came from.
	Pos Position
	// Partition is the partition it was sent to, or [AnyPartition].
	Partition int32
	// Err says why.
	Err error
}

// Reporter receives the outcome of every record produced. Its methods are
// never called concurrently; acks and failures arrive in completion order,
// which is input order within a partition (retries excepted).
type Reporter interface {
	// Acked is called once per acknowledged record.
	Acked(Ack)
	// Failed is called once per record that failed or is in doubt.
	Failed(Failure)
	// Skipped is called for every bad input record skipped (SkipBad).
	Skipped(*InputError)
}

// BatchReporter is a [Reporter] that takes the acks the producer learns
// together (a batch's) in one call: the producer then calls AckedBatch
// instead of Acked for each, so a reporter that locks per record locks
// once per batch. Outcomes still come in order: the acks gathered are
// handed over before any later failure.
type BatchReporter interface {
	Reporter
	// AckedBatch is called with acknowledged records; acks is the
	// producer's, reused after the call.
	AckedBatch(acks []Ack)
}

// Result is the outcome of [Run].
type Result struct {
	// Topic is the topic written to.
	Topic string `json:"topic"`
	// Partitions is the topic's partition count.
	Partitions int32 `json:"partitions"`
	// Sent counts records handed to the producer; each ends up acked,
	// failed or in doubt.
	Sent int64 `json:"sent"`
	// Acked counts acknowledged records (with a transactional id:
	// committed ones).
	Acked int64 `json:"acked"`
	// Failed counts records that were surely not written (or whose
	// transaction was aborted).
	Failed int64 `json:"failed"`
	// InDoubt counts records sent but not answered before the flush
	// timeout.
	InDoubt int64 `json:"in_doubt"`
	// Skipped counts bad input records skipped (SkipBad).
	Skipped int64 `json:"skipped"`
	// Bytes is the key and value bytes of acked records.
	Bytes int64 `json:"bytes"`
	// Elapsed is the time from the first record read to the last answer.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Latency summarises the time from reading a record to its ack.
	Latency Latency `json:"latency"`
	// Committed and Aborted count transactions.
	Committed int `json:"transactions_committed,omitempty"`
	// Aborted counts aborted transactions.
	Aborted int `json:"transactions_aborted,omitempty"`
}

// Latency holds ack latency percentiles.
type Latency struct {
	// P50 is the median.
	P50 time.Duration `json:"p50_ns"`
	// P99 is the 99th percentile.
	P99 time.Duration `json:"p99_ns"`
	// Max is the largest.
	Max time.Duration `json:"max_ns"`
}

// RecordsPerSec is the acked record rate over Elapsed.
func (r Result) RecordsPerSec() float64 { return perSec(float64(r.Acked), r.Elapsed) }

// MBPerSec is the acked key and value megabytes (10^6 bytes) per second.
func (r Result) MBPerSec() float64 { return perSec(float64(r.Bytes)/1e6, r.Elapsed) }

func perSec(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

// latencyHist records ack latencies in microseconds with two significant
// digits, in constant memory whatever the record count.
type latencyHist struct{ h *hdr.Histogram }

// maxLatency is the largest latency tracked; longer ones count as this.
const maxLatency = 10 * time.Minute

func newLatencyHist() latencyHist {
	return latencyHist{h: hdr.New(1, maxLatency.Microseconds(), 2)}
}

func (l latencyHist) record(d time.Duration) {
	us := min(max(d.Microseconds(), 1), maxLatency.Microseconds())
	_ = l.h.RecordValue(us) // cannot fail: us is within range
}

func (l latencyHist) summary() Latency {
	if l.h.TotalCount() == 0 {
		return Latency{}
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return Latency{P50: us(l.h.ValueAtQuantile(50)), P99: us(l.h.ValueAtQuantile(99)), Max: us(l.h.Max())}
}
