package cmd

import (
	"context"
	"fmt"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/topics"
	"github.com/kq-dev/kq/transactions"
)

// markBlocked fills in BlockedBy for the partitions whose last stable
// offset is behind the log end: the open transaction holding it back and
// its transactional id.
func markBlocked(ctx context.Context, f *Factory, tos []topics.TopicOffsets) {
	var topics []string
	for _, to := range tos {
		for _, po := range to.Partitions {
			if po.LastStable.Known() && po.Latest.Known() && po.LastStable < po.Latest {
				topics = append(topics, to.Topic)
				break
			}
		}
	}
	blocked := lookupBlocked(ctx, f, topics)
	for i := range tos {
		for j := range tos[i].Partitions {
			po := &tos[i].Partitions[j]
			po.BlockedBy = blocked[offsets.TopicPartition{Topic: tos[i].Topic, Partition: po.Partition}]
		}
	}
}

// lookupBlocked returns the open transaction blocking each blocked
// partition of topics (none for no topics). A failed lookup costs only the
// detail: a warning, not the command.
func lookupBlocked(ctx context.Context, f *Factory, topics []string) map[offsets.TopicPartition]*offsets.OpenTxn {
	if len(topics) == 0 {
		return nil
	}
	cl, closeFn, err := f.Kadmin()
	if err == nil {
		defer closeFn()
		var bs map[offsets.TopicPartition]transactions.Blocker
		if bs, err = transactions.New(cl).Blocking(ctx, topics...); err == nil {
			out := make(map[offsets.TopicPartition]*offsets.OpenTxn, len(bs))
			for k, b := range bs {
				out[k] = &offsets.OpenTxn{TransactionalID: b.TransactionalID, ProducerID: b.ProducerID, StartOffset: b.StartOffset}
			}
			return out
		}
	}
	f.Warnf("cannot tell which transactions hold the last stable offsets: %v", err)
	return nil
}

// blockedText renders a BlockedBy cell.
func blockedText(t *offsets.OpenTxn) string {
	if t == nil {
		return ""
	}
	id := t.TransactionalID
	if id == "" {
		id = "(hanging)"
	}
	return fmt.Sprintf("%s (producer %d, open since %d)", id, t.ProducerID, t.StartOffset)
}

func anyBlocked(tos []topics.TopicOffsets) bool {
	for _, to := range tos {
		for _, po := range to.Partitions {
			if po.BlockedBy != nil {
				return true
			}
		}
	}
	return false
}

// markGroupsBlocked is markBlocked for the partitions of group
// descriptions.
func markGroupsBlocked(ctx context.Context, f *Factory, ds []groups.Description) {
	var topics []string
	seen := map[string]bool{}
	for _, d := range ds {
		for _, pl := range d.Partitions {
			if pl.LastStable.Known() && pl.LogEnd.Known() && pl.LastStable < pl.LogEnd && !seen[pl.Topic] {
				seen[pl.Topic] = true
				topics = append(topics, pl.Topic)
			}
		}
	}
	blocked := lookupBlocked(ctx, f, topics)
	for i := range ds {
		for j := range ds[i].Partitions {
			pl := &ds[i].Partitions[j]
			pl.BlockedBy = blocked[offsets.TopicPartition{Topic: pl.Topic, Partition: pl.Partition}]
		}
	}
}

func anyGroupBlocked(ps []groups.PartitionLag) bool {
	for _, pl := range ps {
		if pl.BlockedBy != nil {
			return true
		}
	}
	return false
}
