package topics

import (
	"context"
	"time"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
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
	// Offsets is the sum of the partitions' Offsets.
	Offsets int64 `json:"offsets"`
}

// PartitionOffsets are one partition's offsets.
type PartitionOffsets struct {
	// Partition is the partition number.
	Partition int32 `json:"partition"`
	// Earliest is the log start offset.
	Earliest offsets.Offset `json:"earliest_offset"`
	// Latest is the log end offset (high watermark).
	Latest offsets.Offset `json:"latest_offset"`
	// LastStable is the last stable offset (read_committed's end).
	LastStable offsets.Offset `json:"last_stable_offset"`
	// Offsets is Latest minus Earliest: the offsets in the log, which are
	// records plus transaction markers (aborted records included), so an
	// upper bound on the records a consumer reads.
	Offsets int64 `json:"offsets"`
	// AtTime is the first offset whose timestamp is at or after
	// TopicOffsets.At, or Latest when no record is that new; nil when no
	// time was asked.
	AtTime *offsets.Offset `json:"offset_at_time,omitempty"`
	// BlockedBy is the open transaction at the last stable offset, when
	// the caller looked it up (nil: none, or not looked up).
	BlockedBy *offsets.OpenTxn `json:"blocked_by,omitempty"`
}

// TopicOffsets reads every partition's offsets of topic and, when at is
// not nil, the first offset at or after that time. An unknown topic is an
// error matching ErrTopicNotFound.
func (a *Admin) TopicOffsets(ctx context.Context, topic string, at *time.Time) (TopicOffsets, error) {
	out, err := a.TopicsOffsets(ctx, []string{topic}, at)
	if err != nil {
		return TopicOffsets{}, err
	}
	return out[0], nil
}

// TopicsOffsets reads the offsets of several topics at once (one
// ListOffsets round per broker for all of them), in the order given. An
// unknown topic is an error matching ErrTopicNotFound.
func (a *Admin) TopicsOffsets(_ context.Context, topics []string, at *time.Time) ([]TopicOffsets, error) {
	parts, err := a.offsets.Partitions(topics)
	if err != nil {
		return nil, err
	}
	var tps []offsets.TopicPartition
	for _, topic := range topics {
		ps, ok := parts[topic]
		if !ok {
			return nil, offsets.TopicNotFound(topic)
		}
		for _, p := range ps {
			tps = append(tps, offsets.TopicPartition{Topic: topic, Partition: p})
		}
	}
	wms, err := a.offsets.Watermarks(tps)
	if err != nil {
		return nil, err
	}
	var atOffsets map[offsets.TopicPartition]offsets.Offset
	if at != nil {
		if atOffsets, err = a.offsets.ExistingForTime(tps, at.UnixMilli(), setting.ReadUncommitted); err != nil {
			return nil, err
		}
	}
	out := make([]TopicOffsets, 0, len(topics))
	for _, topic := range topics {
		to := TopicOffsets{Topic: topic, At: at, Partitions: make([]PartitionOffsets, 0, len(parts[topic]))}
		for _, p := range parts[topic] {
			tp := offsets.TopicPartition{Topic: topic, Partition: p}
			w, ok := wms[tp]
			if !ok { // deleted meanwhile
				w = offsets.UnknownWatermarks()
			}
			po := partitionOffsets(tp, w, atOffsets, at != nil)
			to.Offsets += po.Offsets
			to.Partitions = append(to.Partitions, po)
		}
		out = append(out, to)
	}
	return out, nil
}

func partitionOffsets(tp offsets.TopicPartition, w offsets.Watermarks, atOffsets map[offsets.TopicPartition]offsets.Offset, withAt bool) PartitionOffsets {
	po := PartitionOffsets{Partition: tp.Partition, Earliest: w.LogStart, Latest: w.LogEnd, LastStable: w.LastStable, Offsets: w.OffsetCount()}
	if withAt {
		o := offsets.Get(atOffsets, tp)
		if !o.Known() {
			o = w.LogEnd
		}
		po.AtTime = &o
	}
	return po
}
