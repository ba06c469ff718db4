package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// watched is one anomaly example the Builder looks up in the history: the
// times of its value's first send, acknowledgement and delivery.
type watched struct {
	anomaly string
	ex      check.Example
	value   seqmsg.Value
	named   bool // ex names a value
	sent    time.Time
	acked   time.Time
	deliver time.Time
}

// anomalyGroup is one anomaly with its watched examples.
type anomalyGroup struct {
	anomaly string
	count   uint64
	first   int // index of its first example in Builder.watched
	n       int
}

// place is a log offset.
type place struct {
	topic     string
	partition int32
	offset    int64
}

// watchIndex finds the watched examples an event concerns.
type watchIndex struct {
	byValue map[seqmsg.Value][]int
	byPlace map[place][]int
}

// Watch asks the Builder to find, in the events added after, the times of
// the examples of one anomaly (as the checker gives them, count in all),
// to place them on the charts and list them in [Builder.Anomalies]. Call it
// for each anomaly, in the order the page should list them, before adding
// events. Memory grows with the examples, which the checker bounds.
func (b *Builder) Watch(anomaly string, count uint64, examples []check.Example) {
	g := anomalyGroup{anomaly: anomaly, count: count, first: len(b.watched), n: len(examples)}
	b.groups = append(b.groups, g)
	for _, ex := range examples {
		w := watched{anomaly: anomaly, ex: ex}
		if v, err := seqmsg.ParseValue(ex.Value); err == nil {
			w.value, w.named = v, true
		}
		b.index.add(len(b.watched), &w)
		b.watched = append(b.watched, w)
	}
}

func (x *watchIndex) add(i int, w *watched) {
	if x.byValue == nil {
		x.byValue, x.byPlace = map[seqmsg.Value][]int{}, map[place][]int{}
	}
	if w.named {
		x.byValue[w.value] = append(x.byValue[w.value], i)
		return
	}
	if w.ex.Offset >= 0 {
		p := place{w.ex.Topic, w.ex.Partition, w.ex.Offset}
		x.byPlace[p] = append(x.byPlace[p], i)
	}
}

// look records the times e gives the watched examples it concerns.
func (b *Builder) look(e *history.Event) {
	if len(b.watched) == 0 || e.Time.IsZero() {
		return
	}
	var hits []int
	switch {
	case e.Type == history.TypeSend:
		hits = b.index.byValue[e.Value()]
	case e.Type == history.TypeDeliver && (e.ValueStatus == "" || e.ValueStatus == history.ValueOK):
		hits = b.index.byValue[e.Value()]
	case e.Type == history.TypeDeliver:
		hits = b.index.byPlace[place{e.Topic, e.Partition, e.Offset}]
	}
	for _, i := range hits {
		w := &b.watched[i]
		switch e.Type {
		case history.TypeSend:
			w.sent = earliest(w.sent, e.Time.Add(-e.Latency))
			if e.Status == history.StatusOK {
				w.acked = earliest(w.acked, e.Time)
			}
		case history.TypeDeliver:
			w.deliver = earliest(w.deliver, e.Time)
		}
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// markers places each watched example at the time its value was sent (or,
// with no send, first delivered).
func (b *Builder) markers() []Marker {
	out := []Marker{}
	for i := range b.watched {
		w := &b.watched[i]
		t := w.sent
		if t.IsZero() {
			t = w.deliver
		}
		if t.IsZero() {
			continue
		}
		out = append(out, Marker{Anomaly: w.anomaly, Count: 1, Label: exampleLabel(w.ex), At: b.offset(t)})
	}
	return out
}

// countExamples counts the watched examples against their partitions.
func (b *Builder) countExamples(ps []PartitionStats) {
	for i := range b.watched {
		ex := &b.watched[i].ex
		for j := range ps {
			if ps[j].Topic == ex.Topic && ps[j].Partition == ex.Partition && ex.Partition >= 0 {
				if ps[j].Anomalies == nil {
					ps[j].Anomalies = map[string]uint64{}
				}
				ps[j].Anomalies[b.watched[i].anomaly]++
			}
		}
	}
}

// Anomalies returns the watched anomalies with their examples worded:
// times as offsets from the series' start, and the faults whose windows
// held the send time.
func (b *Builder) Anomalies() []AnomalyExamples {
	windows := b.windows.list(b.offset(b.last))
	out := make([]AnomalyExamples, 0, len(b.groups))
	for _, g := range b.groups {
		a := AnomalyExamples{Anomaly: g.anomaly, Count: g.count, Examples: []ExampleRow{}}
		for _, w := range b.watched[g.first : g.first+g.n] {
			a.Examples = append(a.Examples, ExampleRow{
				Value: orDash(w.ex.Value), Where: where(w.ex), Detail: w.ex.Detail,
				Sent: b.when(w.sent), Acked: b.when(w.acked), Delivered: b.when(w.deliver),
				Faults: activeFaults(windows, b.offset(w.sent), !w.sent.IsZero()),
			})
		}
		out = append(out, a)
	}
	return out
}

// when words t as an offset from the start, or "–" for none.
func (b *Builder) when(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return fmt.Sprintf("+%.3fs", b.offset(t).Seconds())
}

// activeFaults names the faults whose windows hold at (one-off faults
// count when within a second before it).
func activeFaults(ws []FaultWindow, at time.Duration, known bool) string {
	if !known {
		return "–"
	}
	var names []string
	for _, w := range ws {
		end := w.End
		if w.End == w.Start {
			end = w.Start + time.Second
		}
		if w.Start <= at && at <= end {
			names = append(names, strings.TrimSpace(w.Name+" "+w.Target))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func where(ex check.Example) string {
	if ex.Offset < 0 {
		return "–"
	}
	return fmt.Sprintf("%s/%d@%d", ex.Topic, ex.Partition, ex.Offset)
}

func exampleLabel(ex check.Example) string {
	return orDash(ex.Value) + " " + where(ex)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
