package groups

import (
	"fmt"
	"math"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// OffsetsForTime returns, per partition, the first offset whose record
// timestamp is at or after ms (milliseconds since the epoch); NoOffset
// when no record is that new. Partitions of topics that do not exist are
// left out.
//
// The broker's answer is checked against the records: brokers that answer
// with an earlier record of the right batch (franz-go's kfake does) are
// corrected to the first record at or after the time.
func (c *Client) OffsetsForTime(tps []offsets.TopicPartition, ms int64) (map[offsets.TopicPartition]offsets.Offset, error) {
	tps, err := c.offsets.Existing(tps)
	if err != nil || len(tps) == 0 {
		return map[offsets.TopicPartition]offsets.Offset{}, err
	}
	out, err := c.offsets.List(tps, ms, setting.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	for tp, o := range out {
		if o.Known() {
			out[tp] = c.firstAtOrAfter(tp, o, ms)
		}
	}
	return out, nil
}

// firstAtOrAfter returns the offset of the first record at or after
// offset from whose timestamp is at least ms; from when none is found.
func (c *Client) firstAtOrAfter(tp offsets.TopicPartition, from offsets.Offset, ms int64) offsets.Offset {
	r, err := c.findRecord(tp, int64(from), math.MaxInt64, sarama.ReadUncommitted,
		func(r fetchedRecord) bool { return r.time.UnixMilli() >= ms })
	if err != nil {
		return from
	}
	return offsets.Offset(r.offset)
}
