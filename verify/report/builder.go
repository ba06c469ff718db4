package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/kq-dev/kq/verify/history"
)

// Defaults of [Options].
const (
	// DefaultWidth is the width of a bucket until the run outgrows
	// MaxBuckets of them.
	DefaultWidth = time.Second
	// DefaultMaxBuckets bounds the buckets: past it, pairs of buckets merge
	// and the width doubles.
	DefaultMaxBuckets = 1024
	// DefaultMaxWindows bounds the fault windows kept.
	DefaultMaxWindows = 1000
)

// crashPrefix starts the name of every client-crash fault.
const crashPrefix = "crash-"

// Options configure a [Builder]; zero fields take the defaults.
type Options struct {
	Width      time.Duration
	MaxBuckets int
	MaxWindows int
	// Lenient reads the history leniently (see [history.ReadOptions]).
	Lenient bool
}

// Builder turns a history into a [Series], one event at a time. Events may
// come in any order, but a bucket is only ever added after the last one, so
// feed them in roughly ascending time (as a Recorder writes them) for the
// series to start at the run's start.
//
// Its memory is bounded whatever the length of the history: at most
// MaxBuckets buckets of about 5 KiB (mostly a latency histogram) each, MaxWindows
// fault windows, a few words per partition, the anomaly examples it
// was asked to watch (see [Builder.Watch]), and for [Builder.Place] at
// most one checkpoint (16 bytes) per bucket for each producer and each
// partition (the first sequence number sent, the first offset delivered,
// in the bucket). It keeps no event.
type Builder struct {
	opts    Options
	width   time.Duration
	start   time.Time
	last    time.Time // the latest event time seen
	buckets []bucket
	windows windows
	parts   partitions
	lag     int64 // the current consumer lag, summed over partitions
	untimed uint64
	watched []watched
	groups  []anomalyGroup
	index   watchIndex
	sent    map[uint32]*timeline // send times by producer, for Place
	// lastSent is the timeline of producer lastProducer, the one that sent
	// last (acks come a produced batch at a time): nil before the first.
	lastProducer uint32
	lastSent     *timeline
	placed       *placed // set by Place
}

// NewBuilder returns an empty Builder.
func NewBuilder(opts Options) *Builder {
	opts.Width = cmp.Or(opts.Width, DefaultWidth)
	opts.MaxBuckets = max(cmp.Or(opts.MaxBuckets, DefaultMaxBuckets), 2)
	opts.MaxWindows = cmp.Or(opts.MaxWindows, DefaultMaxWindows)
	return &Builder{
		opts:    opts,
		width:   opts.Width,
		windows: windows{max: opts.MaxWindows, open: map[string]int{}},
		parts:   partitions{m: map[partKey]*partState{}},
	}
}

// Add adds one event of a history. Events without a time count toward the
// partition totals and the lag but fall in no bucket. The series starts at
// the first timed event (for a send, when it was handed to the client).
//
// It never fails: the error is there for [Builder.Feed], which makes a
// Builder a [history.Sink] that a Recorder can feed during a run.
func (b *Builder) Add(e history.Event) error { return b.Feed(&e) }

// Feed is [Builder.Add] for an event the caller keeps ([history.Sink]):
// the Builder reads *e during the call and keeps no pointer into it.
func (b *Builder) Feed(e *history.Event) error {
	switch {
	case e.Time.IsZero() && (e.Type == history.TypeSend || e.Type == history.TypeDeliver):
		b.untimed++
	case b.start.IsZero() && !e.Time.IsZero():
		b.start = e.Time.Add(-max(e.Latency, 0)) // a send's start, not its outcome
	}
	bk := b.bucket(e.Time)
	b.look(e)
	b.noteTimes(e)
	switch e.Type {
	case history.TypeSend:
		b.send(bk, e)
	case history.TypeDeliver:
		bk.Deliveries++
		b.moveLag(b.parts.deliver(e.Topic, e.Partition, e.Offset))
	case history.TypeFault:
		b.fault(bk, e)
	case history.TypeCommit:
		if e.Status == history.StatusOK && e.Partition >= 0 && e.Offset >= 0 {
			b.moveLag(b.parts.commit(e.Topic, e.Partition, e.Offset))
		}
	case history.TypeAssign, history.TypeRevoke:
		bk.Rebalances++
	}
	bk.Lag, bk.seen = b.lag, true
	return nil
}

func (b *Builder) send(bk *bucket, e *history.Event) {
	bk.Sends++
	switch e.Status {
	case history.StatusOK:
		bk.Acks++
		if e.Latency > 0 {
			bk.recordLatency(e.Latency)
		}
		if e.Partition >= 0 && e.Offset >= 0 {
			b.moveLag(b.parts.ack(e.Topic, e.Partition, e.Offset))
		}
	case history.StatusFail:
		bk.Failed++
	case history.StatusInfo:
		bk.Indeterminate++
	}
}

func (b *Builder) fault(bk *bucket, e *history.Event) {
	at := b.offset(e.Time)
	switch e.Phase {
	case history.PhaseStart:
		b.windows.start(e.Name, e.Target, at)
	case history.PhaseEnd:
		b.windows.end(e.Name, e.Target, at)
	default:
		b.windows.once(e.Name, e.Target, at)
		if strings.HasPrefix(e.Name, crashPrefix) {
			bk.Crashes++
		}
	}
}

// moveLag applies a change of one partition's lag to the total.
func (b *Builder) moveLag(delta int64) { b.lag += delta }

// offset returns t as an offset from the series' start; zero for no time.
func (b *Builder) offset(t time.Time) time.Duration {
	if t.IsZero() || b.start.IsZero() {
		return 0
	}
	return t.Sub(b.start)
}

// bucket returns the bucket of time t, adding buckets (and merging them
// when there would be too many) as needed. For no time it returns a scratch
// bucket outside the series.
func (b *Builder) bucket(t time.Time) *bucket {
	if t.IsZero() {
		return &bucket{}
	}
	if t.After(b.last) {
		b.last = t
	}
	i := int(max(t.Sub(b.start), 0) / b.width)
	for i >= b.opts.MaxBuckets {
		b.halve()
		i = int(t.Sub(b.start) / b.width)
	}
	for len(b.buckets) <= i {
		b.buckets = append(b.buckets, bucket{})
	}
	return &b.buckets[i]
}

// halve merges pairs of buckets and doubles the width.
func (b *Builder) halve() {
	n := (len(b.buckets) + 1) / 2
	for i := range n {
		merged := b.buckets[2*i]
		if 2*i+1 < len(b.buckets) {
			merged.merge(&b.buckets[2*i+1])
		}
		b.buckets[i] = merged
	}
	clear(b.buckets[n:])
	b.buckets = b.buckets[:n]
	b.width *= 2
	b.compactTimes()
}

// Series returns the series of the events added so far; the Builder can
// go on.
func (b *Builder) Series() Series {
	s := Series{
		Start: b.start, BucketWidth: b.width, Buckets: make([]Bucket, len(b.buckets)), End: b.offset(b.last),
		Faults: b.windows.list(b.offset(b.last)), Partitions: b.parts.list(),
		Untimed: b.untimed, Dropped: b.windows.dropped,
	}
	var lag int64
	for i := range b.buckets {
		bk := &b.buckets[i]
		if bk.seen {
			lag = bk.Lag
		}
		s.Buckets[i] = bk.Bucket
		s.Buckets[i].At = time.Duration(i) * b.width
		s.Buckets[i].Lag = lag
		s.Buckets[i].AckP50, s.Buckets[i].AckP99 = bk.percentile(50), bk.percentile(99)
	}
	if b.placed != nil {
		s.AllAnomalies, s.Markers = true, b.countMarkers(&s)
		s.Unplaced, s.Unmarked = b.placed.nowhere, b.placed.unmarked
	} else {
		s.Markers = b.markers()
		b.countExamples(s.Partitions)
	}
	slices.SortStableFunc(s.Faults, func(x, y FaultWindow) int { return cmp.Compare(x.Start, y.Start) })
	return s
}
