package check

import (
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kq-dev/kq/internal/output"
)

// Realtime lag is the time from a value's acknowledgement (its earliest
// acknowledged send) to its first delivery. To stay within a few bits per
// value it is measured on a sample fixed by the values themselves (those
// whose sequence number is a multiple of lagSample), so the sample, and the
// percentiles, do not depend on the order of the lines: 16 bytes per
// sampled value, one byte per value in all.
const lagSample = 16

// Lag histogram bounds: microseconds, two significant figures (1%), up to
// an hour; a longer lag counts as an hour.
const (
	lagMin     = 1
	lagMax     = int64(time.Hour / time.Microsecond)
	lagFigures = 2
)

// lagTimes are the times of a sampled value, in Unix microseconds (0:
// unknown).
type lagTimes struct{ ack, del int64 }

// lagSlots are the sampled values of one block.
type lagSlots [blockSize / lagSample]lagTimes

// LagStats summarises realtime lags: how many values were measured, and
// percentiles (p50_ms, p99_ms, max_ms in JSON).
type LagStats struct {
	Samples uint64        `json:"samples"`
	P50     time.Duration `json:"-"`
	P99     time.Duration `json:"-"`
	Max     time.Duration `json:"-"`
}

// lagJSON is LagStats as JSON.
type lagJSON struct {
	Samples uint64  `json:"samples"`
	P50MS   float64 `json:"p50_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
}

func (l LagStats) wire() lagJSON {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return lagJSON{l.Samples, ms(l.P50), ms(l.P99), ms(l.Max)}
}

// MarshalJSON writes samples, p50_ms, p99_ms and max_ms.
func (l LagStats) MarshalJSON() ([]byte, error) { return output.MarshalJSON(l.wire()) }

// Lag is the realtime lag, acknowledgement to first delivery, of the
// values sampled (sequence numbers that are multiples of 16): overall, and
// per fault for the values acknowledged while one of its windows was open.
type Lag struct {
	LagStats
	Faults []FaultLag `json:"faults,omitempty"`
}

// MarshalJSON writes the overall figures and the faults side by side.
func (l Lag) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(struct {
		lagJSON
		Faults []FaultLag `json:"faults,omitempty"`
	}{l.wire(), l.Faults})
}

// FaultLag is the realtime lag of the values acknowledged inside the
// windows of one fault.
type FaultLag struct {
	Fault string `json:"fault"`
	LagStats
}

// MarshalJSON puts the fault's name before its figures.
func (f FaultLag) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(struct {
		Fault string `json:"fault"`
		lagJSON
	}{f.Fault, f.wire()})
}

// noteLag records, for a sampled value, the time t of an acknowledgement
// (delivered false) or a delivery; the earliest of each is kept.
func (x *valueIndex) noteLag(ord uint32, seq uint64, t time.Time, delivered bool) {
	if seq%lagSample != 0 || t.IsZero() {
		return
	}
	b, i := x.block(ord)
	if b.lag == nil {
		b.lag = new(lagSlots)
	}
	lt := &b.lag[i/lagSample]
	at := &lt.ack
	if delivered {
		at = &lt.del
	}
	if us := t.UnixMicro(); *at == 0 || us < *at {
		*at = us
	}
}

// lagHist is a histogram of lags.
type lagHist struct{ h *hdr.Histogram }

func (l *lagHist) record(d int64) {
	if l.h == nil {
		l.h = hdr.New(lagMin, lagMax, lagFigures)
	}
	_ = l.h.RecordValue(min(max(d, lagMin), lagMax)) // in range by construction
}

func (l *lagHist) stats() LagStats {
	if l.h == nil || l.h.TotalCount() == 0 {
		return LagStats{}
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return LagStats{Samples: uint64(l.h.TotalCount()), P50: us(l.h.ValueAtQuantile(50)), P99: us(l.h.ValueAtQuantile(99)), Max: us(l.h.Max())}
}

// lag measures the realtime lag of the sampled values, overall and per
// fault (by the windows of each fault the history shows, named or not).
func (s *scan) lag() Lag {
	type faultWindows struct {
		name string
		ws   []window
		h    lagHist
	}
	var faults []*faultWindows
	for name, fl := range s.c.ev.faults {
		if ws := fl.windows(); len(ws) > 0 {
			faults = append(faults, &faultWindows{name: name, ws: ws})
		}
	}
	slices.SortFunc(faults, func(a, b *faultWindows) int { return strings.Compare(a.name, b.name) })
	var all lagHist
	for _, b := range s.c.values.blocks {
		if b == nil || b.lag == nil {
			continue
		}
		for _, lt := range b.lag {
			if lt.ack == 0 || lt.del == 0 {
				continue
			}
			d := lt.del - lt.ack
			all.record(d)
			ack := time.UnixMicro(lt.ack)
			for _, f := range faults {
				if inWindows(f.ws, ack) {
					f.h.record(d)
				}
			}
		}
	}
	out := Lag{LagStats: all.stats()}
	for _, f := range faults {
		if st := f.h.stats(); st.Samples > 0 {
			out.Faults = append(out.Faults, FaultLag{Fault: f.name, LagStats: st})
		}
	}
	return out
}

// inWindows reports whether t lies in one of the windows.
func inWindows(ws []window, t time.Time) bool {
	for _, w := range ws {
		if !t.Before(w.start) && !t.After(w.end) {
			return true
		}
	}
	return false
}
