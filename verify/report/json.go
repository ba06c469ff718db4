package report

import (
	"time"

	"github.com/kq-dev/kq/internal/output"
)

// ms returns d in milliseconds, fractions kept to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// MarshalJSON adds bucket_ms and end_ms.
func (s Series) MarshalJSON() ([]byte, error) {
	type plain Series
	return output.MarshalJSON(struct {
		plain
		BucketMS int64 `json:"bucket_ms"`
		EndMS    int64 `json:"end_ms"`
	}{plain(s), s.BucketWidth.Milliseconds(), s.End.Milliseconds()})
}

// MarshalJSON adds t_ms, ack_p50_ms and ack_p99_ms.
func (b Bucket) MarshalJSON() ([]byte, error) {
	type plain Bucket
	return output.MarshalJSON(struct {
		TMS int64 `json:"t_ms"`
		plain
		AckP50MS float64 `json:"ack_p50_ms"`
		AckP99MS float64 `json:"ack_p99_ms"`
	}{b.At.Milliseconds(), plain(b), ms(b.AckP50), ms(b.AckP99)})
}

// MarshalJSON adds start_ms and end_ms.
func (w FaultWindow) MarshalJSON() ([]byte, error) {
	type plain FaultWindow
	return output.MarshalJSON(struct {
		plain
		StartMS int64 `json:"start_ms"`
		EndMS   int64 `json:"end_ms"`
	}{plain(w), w.Start.Milliseconds(), w.End.Milliseconds()})
}

// MarshalJSON adds t_ms.
func (m Marker) MarshalJSON() ([]byte, error) {
	type plain Marker
	return output.MarshalJSON(struct {
		plain
		TMS int64 `json:"t_ms"`
	}{plain(m), m.At.Milliseconds()})
}
