package offsets

import (
	"fmt"

	"github.com/kq-dev/kq/internal/setting"
)

// ForTime returns, for each partition, the offset of its first record
// whose timestamp is at or after ms (unix milliseconds), under iso;
// NoOffset where no record is that new. It is the broker's answer as it
// is: the built-in broker answers as Kafka does (broker/fortime.go
// corrects kfake there), so no client checks it against the records.
func (l Lister) ForTime(tps []TopicPartition, ms int64, iso setting.Isolation) (map[TopicPartition]Offset, error) {
	out, err := l.List(tps, ms, iso)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	return out, nil
}

// ExistingForTime is [Lister.ForTime] over the partitions of tps that
// exist; the others are left out.
func (l Lister) ExistingForTime(tps []TopicPartition, ms int64, iso setting.Isolation) (map[TopicPartition]Offset, error) {
	tps, err := l.Existing(tps)
	if err != nil || len(tps) == 0 {
		return map[TopicPartition]Offset{}, err
	}
	return l.ForTime(tps, ms, iso)
}
