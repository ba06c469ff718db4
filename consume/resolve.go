package consume

import (
	"math"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// noBound is the bound of a partition that has no end to reach.
const noBound = math.MaxInt64

// offsetLister lists offsets under the run's isolation level, as plain
// int64s (negative: none) for the run's arithmetic.
type offsetLister struct {
	offsets.Lister
	iso setting.Isolation
}

// list returns, for each partition, the offset ListOffsets gives for the
// query: sarama.OffsetOldest, sarama.OffsetNewest (the end, by isolation)
// or a timestamp in milliseconds (-1 when no record is that new).
func (l *offsetLister) list(tps []offsets.TopicPartition, query int64) (map[offsets.TopicPartition]int64, error) {
	offs, err := l.List(tps, query, l.iso)
	if err != nil {
		return nil, err
	}
	return int64s(offs), nil
}

// int64s converts offsets to plain int64s (NoOffset is -1).
func int64s(offs map[offsets.TopicPartition]offsets.Offset) map[offsets.TopicPartition]int64 {
	out := make(map[offsets.TopicPartition]int64, len(offs))
	for tp, o := range offs {
		out[tp] = int64(o)
	}
	return out
}
