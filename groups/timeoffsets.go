package groups

import (
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// OffsetsForTime returns, per partition, the first offset whose record
// timestamp is at or after ms (milliseconds since the epoch); NoOffset
// when no record is that new. Partitions of topics that do not exist are
// left out.
func (c *Client) OffsetsForTime(tps []offsets.TopicPartition, ms int64) (map[offsets.TopicPartition]offsets.Offset, error) {
	tps, err := c.offsets.Existing(tps)
	if err != nil || len(tps) == 0 {
		return map[offsets.TopicPartition]offsets.Offset{}, err
	}
	return c.offsets.ForTime(tps, ms, setting.ReadUncommitted)
}
