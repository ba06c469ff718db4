package check

import (
	"time"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify/history"
)

// WorkerRate is one history's share of a run checked from several (the
// workers of kq verify --worker): what it sent and delivered, and how fast.
type WorkerRate struct {
	// Worker is the worker index its meta line names, -1 when none.
	Worker int `json:"worker"`
	// File is the history's path.
	File string `json:"file"`
	// Sent and Acked count its sends and acknowledged sends; Delivered its
	// deliveries.
	Sent      uint64 `json:"sent"`
	Acked     uint64 `json:"acked"`
	Delivered uint64 `json:"delivered"`
	// First and Last are its first and last timed send or delivery; zero
	// when none was timed.
	First time.Time `json:"-"`
	Last  time.Time `json:"-"`
}

// Span is the time from its first to its last timed send or delivery.
func (w WorkerRate) Span() time.Duration { return w.Last.Sub(w.First) }

// AckedPerSec is its acknowledged sends per second over its span; 0
// without one.
func (w WorkerRate) AckedPerSec() float64 {
	if s := w.Span(); s > 0 {
		return float64(w.Acked) / s.Seconds()
	}
	return 0
}

// MarshalJSON adds span_ms and acked_per_sec.
func (w WorkerRate) MarshalJSON() ([]byte, error) {
	type plain WorkerRate
	return output.MarshalJSON(struct {
		plain
		SpanMS      int64   `json:"span_ms"`
		AckedPerSec float64 `json:"acked_per_sec"`
	}{plain(w), w.Span().Milliseconds(), w.AckedPerSec()})
}

func (w *WorkerRate) add(e *history.Event) {
	switch e.Type {
	case history.TypeSend:
		w.Sent++
		if e.Status == history.StatusOK {
			w.Acked++
		}
	case history.TypeDeliver:
		w.Delivered++
	default:
		return
	}
	if e.Time.IsZero() {
		return
	}
	if w.First.IsZero() || e.Time.Before(w.First) {
		w.First = e.Time
	}
	if e.Time.After(w.Last) {
		w.Last = e.Time
	}
}

// newWorkerRates returns one empty WorkerRate per source, named by its
// meta line.
func newWorkerRates(srcs []history.Source, metas []*history.Event) []WorkerRate {
	rates := make([]WorkerRate, len(srcs))
	for i, meta := range metas {
		rates[i] = WorkerRate{Worker: -1, File: srcs[i].Name}
		if meta != nil && meta.Workers > 0 {
			rates[i].Worker = meta.Worker
		}
	}
	return rates
}
