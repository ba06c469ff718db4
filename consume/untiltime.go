package consume

import (
	"context"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// untilTimeBound waits for a future --until time and then bounds every
// partition still waiting for a record at or after it by its end as of
// that moment, so the run ends once what was written before the time is
// printed (as for a time already past at start).
func (e *engine) untilTimeBound(ctx context.Context, pl *plan, at time.Time) {
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return
	case <-t.C:
	}
	var waiting []offsets.TopicPartition
	e.mu.Lock()
	for _, tp := range pl.parts {
		if pl.stops[tp].at != noBound {
			waiting = append(waiting, tp)
		}
	}
	e.mu.Unlock()
	if len(waiting) == 0 {
		return
	}
	ends, err := pl.lister.list(waiting, sarama.OffsetNewest)
	if err != nil {
		e.stop(StopError, kqerr.SettingErrorf("{until}: the end of the partitions at %s: %w", at.Format(time.RFC3339), err))
		return
	}
	e.boundAt(pl, ends)
}

// boundAt sets the offset bound of partitions waiting for an --until time,
// in the plan (for partitions a group assigns later) and in their state.
func (e *engine) boundAt(pl *plan, ends map[offsets.TopicPartition]int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for tp, end := range ends {
		s := pl.stops[tp]
		s.offset = min(s.offset, end)
		pl.stops[tp] = s
		st := e.parts[tp]
		if st == nil {
			continue
		}
		st.offset = min(st.offset, end)
		if st.assigned && st.started && !st.done && st.reached() {
			e.partDoneLocked(st)
		}
	}
}
