package report

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// AnomalySource gives every anomaly a checker counted, one instance per
// unit of each count: a [*check.Checker].
type AnomalySource interface {
	EachAnomaly(fn func(check.Instance))
}

// checkpoint is the first key (a sequence number or an offset) seen in a
// time bucket, with its time.
type checkpoint struct {
	key uint64
	at  time.Duration
}

// timeline maps the keys of one producer (sequence numbers) or one
// partition (offsets) to times, coarsely: one checkpoint per bucket, at
// most, so its memory is bounded by the buckets, not the events. Keys and
// buckets only move forward; a key that comes back (a retry) or a bucket
// that is earlier than the last one (events slightly out of order) adds
// nothing.
type timeline []checkpoint

// note records that key was seen at time at, with buckets of width w.
func (tl *timeline) note(key uint64, at, w time.Duration) {
	if n := len(*tl); n > 0 {
		last := (*tl)[n-1]
		if key <= last.key || at/w <= last.at/w {
			return
		}
	}
	*tl = append(*tl, checkpoint{key, max(at, 0)})
}

// compact keeps the first checkpoint of each bucket of width w, after the
// buckets widened.
func (tl *timeline) compact(w time.Duration) {
	*tl = slices.CompactFunc(*tl, func(a, b checkpoint) bool { return a.at/w == b.at/w })
}

// find returns the time of key: that of the last checkpoint at or below
// it, or the first one's for a key below them all.
func (tl timeline) find(key uint64) (time.Duration, bool) {
	if len(tl) == 0 {
		return 0, false
	}
	i := sort.Search(len(tl), func(i int) bool { return tl[i].key > key })
	return tl[max(i-1, 0)].at, true
}

// markKey is one bucket's marker of one anomaly.
type markKey struct {
	bucket  int
	anomaly string
}

// placed is what [Builder.Place] found: per bucket and anomaly, how many
// anomalies had their value sent then; per partition (see partState.all),
// the full counts; and what could not be placed.
type placed struct {
	marks    map[markKey]uint64
	order    []string          // anomalies in the order first met
	nowhere  map[string]uint64 // anomalies in no partition
	unmarked uint64            // anomalies with no time
}

// noteTimes indexes a timed event's send time by value and its delivery
// time by offset, for [Builder.Place].
func (b *Builder) noteTimes(e *history.Event) {
	if e.Time.IsZero() {
		return
	}
	switch {
	case e.Type == history.TypeSend:
		b.sentBy(e.Producer).note(e.Seq, b.offset(e.Time.Add(-max(e.Latency, 0))), b.width)
	case e.Type == history.TypeDeliver && e.Partition >= 0 && e.Offset >= 0:
		b.parts.get(e.Topic, e.Partition).delivered.note(uint64(e.Offset), b.offset(e.Time), b.width)
	}
}

// sentBy returns the send timeline of producer p, adding it if needed.
func (b *Builder) sentBy(p uint32) *timeline {
	if b.lastSent != nil && p == b.lastProducer {
		return b.lastSent
	}
	tl := b.sent[p]
	if tl == nil {
		if b.sent == nil {
			b.sent = map[uint32]*timeline{}
		}
		tl = &timeline{}
		b.sent[p] = tl
	}
	b.lastProducer, b.lastSent = p, tl
	return tl
}

// compactTimes thins the time indexes after the buckets widened.
func (b *Builder) compactTimes() {
	for _, tl := range b.sent {
		tl.compact(b.width)
	}
	for _, p := range b.parts.m {
		p.delivered.compact(b.width)
	}
}

// Place takes every anomaly src counted, after the last event was added:
// each is counted against its partition (so [Series] then gives the full
// counts per partition, not the examples') and against the time bucket its
// value was sent in (or, for a record that names no value, was delivered
// in), where the charts mark it with the count of its bucket. Memory stays
// bounded by buckets, anomaly kinds and partitions whatever the count.
func (b *Builder) Place(src AnomalySource) {
	p := &placed{marks: map[markKey]uint64{}, nowhere: map[string]uint64{}}
	b.placed = p
	seen := map[string]bool{}
	src.EachAnomaly(func(in check.Instance) {
		a := string(in.Anomaly)
		if !seen[a] {
			seen[a] = true
			p.order = append(p.order, a)
		}
		if in.Partition >= 0 {
			ps := b.parts.get(in.Topic, in.Partition)
			if ps.all == nil {
				ps.all = map[string]uint64{}
			}
			ps.all[a]++
		} else {
			p.nowhere[a]++
		}
		at, ok := b.anomalyTime(in)
		if !ok || len(b.buckets) == 0 {
			p.unmarked++
			return
		}
		p.marks[markKey{min(int(at/b.width), len(b.buckets)-1), a}]++
	})
}

// anomalyTime is when an anomaly's value was sent or, when no send of it
// is known, when its offset was delivered.
func (b *Builder) anomalyTime(in check.Instance) (time.Duration, bool) {
	if in.Named {
		if tl := b.sent[in.Value.Producer]; tl != nil {
			return tl.find(in.Value.Seq)
		}
	}
	if in.Partition >= 0 && in.Offset >= 0 {
		if ps := b.parts.m[partKey{in.Topic, in.Partition}]; ps != nil {
			return ps.delivered.find(uint64(in.Offset))
		}
	}
	return 0, false
}

// countMarkers returns one marker per bucket and anomaly placed, by time,
// then in the order the anomalies were first met.
func (b *Builder) countMarkers(s *Series) []Marker {
	p := b.placed
	keys := make([]markKey, 0, len(p.marks))
	for k := range p.marks {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y markKey) int {
		return cmp.Or(cmp.Compare(x.bucket, y.bucket), cmp.Compare(slices.Index(p.order, x.anomaly), slices.Index(p.order, y.anomaly)))
	})
	out := make([]Marker, 0, len(keys))
	for _, k := range keys {
		n := p.marks[k]
		at := time.Duration(s.mid(k.bucket) * float64(time.Second))
		out = append(out, Marker{Anomaly: k.anomaly, Count: n, Label: fmt.Sprintf("%d %s", n, k.anomaly), At: at})
	}
	return out
}
