package consume

import (
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// stop is where one partition stops.
type stop struct {
	// offset: stop before it (noBound: no offset bound).
	offset int64
	// at: stop at the first record whose unix-ms timestamp is at or after
	// it (noBound: none). Set only when no such record existed at start to
	// find an offset for.
	at int64
}

// plan is what a run works out before it consumes.
type plan struct {
	parts []offsets.TopicPartition
	// earliest and end are the log start and the end (last stable offset
	// or high watermark, by isolation) of each partition at start.
	earliest, end map[offsets.TopicPartition]int64
	// start is where each partition starts in partition mode.
	start map[offsets.TopicPartition]int64
	// stops are the bounds of each partition.
	stops map[offsets.TopicPartition]stop
	// lister lists offsets, for an --until time that passes during the
	// run.
	lister *offsetLister
}

// makePlan lists the partitions and works out starts and stops.
func makePlan(client sarama.Client, opts *Options) (*plan, error) {
	admin, err := sarama.NewClusterAdminFromClient(client) // closing it would close client: not closed
	if err != nil {
		return nil, err
	}
	l := &offsetLister{Lister: offsets.Lister{Client: client, Admin: admin}, iso: opts.Isolation}
	parts, err := l.Require(opts.Topics, opts.Partitions)
	if err != nil {
		return nil, err
	}
	pl := &plan{parts: parts, lister: l}
	if pl.earliest, err = l.list(parts, sarama.OffsetOldest); err != nil {
		return nil, err
	}
	if pl.end, err = l.list(parts, sarama.OffsetNewest); err != nil {
		return nil, err
	}
	if pl.start, err = pl.starts(l, opts.From); err != nil {
		return nil, err
	}
	if pl.stops, err = pl.bounds(l, opts, time.Now()); err != nil {
		return nil, err
	}
	return pl, nil
}

// starts works out where each partition starts for spec.
func (pl *plan) starts(l *offsetLister, spec OffsetSpec) (map[offsets.TopicPartition]int64, error) {
	var at map[offsets.TopicPartition]int64
	if spec.Kind == Timestamp {
		var err error
		if at, err = pl.timeOffsets(l, spec.Time); err != nil {
			return nil, err
		}
	}
	out := make(map[offsets.TopicPartition]int64, len(pl.parts))
	for _, tp := range pl.parts {
		lo, hi := pl.earliest[tp], pl.end[tp]
		switch spec.Kind {
		case Latest:
			out[tp] = hi
		case Exact:
			out[tp] = min(max(spec.N, lo), hi)
		case FromEnd:
			out[tp] = max(hi-min(spec.N, hi), lo)
		case FromStart:
			out[tp] = lo + min(spec.N, hi-lo)
		case Timestamp:
			out[tp] = at[tp]
			if out[tp] < 0 {
				out[tp] = hi
			}
		default:
			out[tp] = lo
		}
	}
	return out, nil
}

// bounds works out where each partition stops: its end at start with -e,
// and the --until offset or time. A partition with no record at or after
// an --until time already past stops at its end as of now: nothing later
// can be older than now, so waiting for such a record would wait forever.
func (pl *plan) bounds(l *offsetLister, opts *Options, now time.Time) (map[offsets.TopicPartition]stop, error) {
	var at map[offsets.TopicPartition]int64
	if opts.Until != nil && opts.Until.Kind == Timestamp {
		var err error
		if at, err = pl.timeOffsets(l, opts.Until.Time); err != nil {
			return nil, err
		}
	}
	out := make(map[offsets.TopicPartition]stop, len(pl.parts))
	for _, tp := range pl.parts {
		s := stop{offset: noBound, at: noBound}
		if opts.Exit {
			s.offset = pl.end[tp]
		}
		switch {
		case opts.Until == nil:
		case opts.Until.Kind == Exact:
			s.offset = min(s.offset, opts.Until.N)
		case at[tp] >= 0:
			s.offset = min(s.offset, at[tp])
		case !opts.Until.Time.After(now):
			s.offset = min(s.offset, pl.end[tp])
		default:
			s.at = opts.Until.Time.UnixMilli()
		}
		out[tp] = s
	}
	return out, nil
}

// timeOffsets finds, for each partition, the offset of its first record
// at or after t, or -1 when there is none.
func (pl *plan) timeOffsets(l *offsetLister, t time.Time) (map[offsets.TopicPartition]int64, error) {
	ms := t.UnixMilli()
	if ms < 0 { // before 1970: every record is at or after it
		return pl.earliest, nil
	}
	offs, err := l.ForTime(pl.parts, ms, l.iso)
	if err != nil {
		return nil, err
	}
	return int64s(offs), nil
}
