package report

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histogram bounds: microseconds, one significant figure (about 6%
// resolution, 3 KiB of counts per histogram) up to two minutes.
const (
	latencyMin     = 1
	latencyMax     = int64(2 * time.Minute / time.Microsecond)
	latencyFigures = 1
)

// bucket is a Bucket being built: its latency histogram, allocated at the
// first latency, and whether any event fell in it (else its lag is the
// previous bucket's).
type bucket struct {
	Bucket
	latency *hdr.Histogram
	seen    bool
}

func (b *bucket) recordLatency(d time.Duration) {
	if d < 0 {
		return
	}
	if b.latency == nil {
		b.latency = hdr.New(latencyMin, latencyMax, latencyFigures)
	}
	us := min(max(d.Microseconds(), latencyMin), latencyMax)
	_ = b.latency.RecordValue(us) // in range by construction
}

// percentile returns the q-th percentile latency, or 0 with none recorded.
func (b *bucket) percentile(q float64) time.Duration {
	if b.latency == nil || b.latency.TotalCount() == 0 {
		return 0
	}
	return time.Duration(b.latency.ValueAtQuantile(q)) * time.Microsecond
}

// merge adds the later bucket o into b.
func (b *bucket) merge(o *bucket) {
	b.Sends += o.Sends
	b.Acks += o.Acks
	b.Failed += o.Failed
	b.Indeterminate += o.Indeterminate
	b.Deliveries += o.Deliveries
	b.Crashes += o.Crashes
	b.Rebalances += o.Rebalances
	if o.seen {
		b.Lag, b.seen = o.Lag, true
	}
	switch {
	case o.latency == nil:
	case b.latency == nil:
		b.latency = o.latency
	default:
		b.latency.Merge(o.latency)
	}
}
