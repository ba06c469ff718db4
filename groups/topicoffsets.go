package groups

import (
	"context"
	"time"
)

// TopicOffsets are a topic's offsets per partition, as `kq offsets` shows
// them (GetOffsetShell's job).
type TopicOffsets struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// At is the time offsets were looked up for; nil when none was asked.
	At *time.Time `json:"at,omitempty"`
	// Partitions are the partitions in order.
	Partitions []PartitionOffsets `json:"partitions"`
	// Records is the sum of the partitions' Records.
	Records int64 `json:"records"`
}

// PartitionOffsets are one partition's offsets.
type PartitionOffsets struct {
	// Partition is the partition number.
	Partition int32 `json:"partition"`
	// Earliest is the log start offset.
	Earliest Offset `json:"earliest_offset"`
	// Latest is the log end offset (high watermark).
	Latest Offset `json:"latest_offset"`
	// LastStable is the last stable offset (read_committed's end).
	LastStable Offset `json:"last_stable_offset"`
	// Records is Latest minus Earliest; transaction markers and aborted
	// records count.
	Records int64 `json:"records"`
	// AtTime is the first offset whose timestamp is at or after
	// TopicOffsets.At, or Latest when no record is that new; nil when no
	// time was asked.
	AtTime *Offset `json:"offset_at_time,omitempty"`
}

// TopicOffsets reads every partition's offsets of topic and, when at is
// not nil, the first offset at or after that time. An unknown topic is an
// error matching ErrTopicNotFound.
func (c *Client) TopicOffsets(_ context.Context, topic string, at *time.Time) (TopicOffsets, error) {
	parts, err := c.TopicPartitions([]string{topic})
	if err != nil {
		return TopicOffsets{}, err
	}
	ps, ok := parts[topic]
	if !ok {
		return TopicOffsets{}, topicNotFound(topic)
	}
	tps := make([]TopicPartition, len(ps))
	for i, p := range ps {
		tps[i] = TopicPartition{topic, p}
	}
	wms, err := c.Watermarks(tps)
	if err != nil {
		return TopicOffsets{}, err
	}
	var atOffsets map[TopicPartition]Offset
	if at != nil {
		if atOffsets, err = c.OffsetsForTime(tps, at.UnixMilli()); err != nil {
			return TopicOffsets{}, err
		}
	}
	out := TopicOffsets{Topic: topic, At: at, Partitions: make([]PartitionOffsets, 0, len(tps))}
	for _, tp := range tps {
		w, ok := wms[tp]
		if !ok { // deleted meanwhile
			w = unknownWatermarks()
		}
		po := partitionOffsets(tp, w, atOffsets, at != nil)
		out.Records += po.Records
		out.Partitions = append(out.Partitions, po)
	}
	return out, nil
}

func partitionOffsets(tp TopicPartition, w Watermarks, atOffsets map[TopicPartition]Offset, withAt bool) PartitionOffsets {
	po := PartitionOffsets{Partition: tp.Partition, Earliest: w.LogStart, Latest: w.LogEnd, LastStable: w.LastStable, Records: w.Records()}
	if withAt {
		o := offsetOr(atOffsets, tp)
		if !o.Known() {
			o = w.LogEnd
		}
		po.AtTime = &o
	}
	return po
}
