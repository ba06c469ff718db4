package offsets

import (
	"fmt"

	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/setting"
)

// ForTime returns, for each partition, the offset of its first record
// whose timestamp is at or after ms (unix milliseconds), under iso;
// NoOffset where no record is that new.
//
// The broker's answer is checked against the records, once, here: a broker
// that answers with an earlier record of the right batch (franz-go's kfake
// does; Kafka answers with the record itself) is corrected to the first
// record at or after the time. It is corrected here rather than in
// broker/: kfake exposes no access to its log, so the built-in broker could
// only correct its answer with a Fetch of its own from inside the
// ListOffsets path.
func (l Lister) ForTime(tps []TopicPartition, ms int64, iso setting.Isolation) (map[TopicPartition]Offset, error) {
	out, err := l.List(tps, ms, iso)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	for tp, o := range out {
		if o.Known() {
			out[tp] = Offset(fetch.FirstAtOrAfter(l.Client, tp.Topic, tp.Partition, int64(o), ms, iso.Sarama()))
		}
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
