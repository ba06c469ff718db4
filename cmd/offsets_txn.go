package cmd

import (
	"context"
	"fmt"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/transactions"
)

// markBlocked fills in BlockedBy for the partitions whose last stable
// offset is behind the log end: the open transaction holding it back and
// its transactional id. Failing to look that up costs only the detail: a
// warning, not the command.
func markBlocked(ctx context.Context, f *Factory, tos []groups.TopicOffsets) {
	var topics []string
	for _, to := range tos {
		for _, po := range to.Partitions {
			if po.LastStable.Known() && po.Latest.Known() && po.LastStable < po.Latest {
				topics = append(topics, to.Topic)
				break
			}
		}
	}
	if len(topics) == 0 {
		return
	}
	blocked, err := lookupBlocked(ctx, f, topics)
	if err != nil {
		f.Warnf("cannot tell which transactions hold the last stable offsets: %v", err)
		return
	}
	for i := range tos {
		for j := range tos[i].Partitions {
			po := &tos[i].Partitions[j]
			if b, ok := blocked[transactions.Partition{Topic: tos[i].Topic, Partition: po.Partition}]; ok {
				po.BlockedBy = &groups.OpenTxn{TransactionalID: b.TransactionalID, ProducerID: b.ProducerID, StartOffset: b.StartOffset}
			}
		}
	}
}

func lookupBlocked(ctx context.Context, f *Factory, topics []string) (map[transactions.Partition]transactions.Blocker, error) {
	cl, closeFn, err := f.Kadmin()
	if err != nil {
		return nil, err
	}
	defer closeFn()
	return transactions.New(cl).Blocking(ctx, topics...)
}

// blockedText renders a BlockedBy cell.
func blockedText(t *groups.OpenTxn) string {
	if t == nil {
		return ""
	}
	id := t.TransactionalID
	if id == "" {
		id = "(hanging)"
	}
	return fmt.Sprintf("%s (producer %d, open since %d)", id, t.ProducerID, t.StartOffset)
}

func anyBlocked(tos []groups.TopicOffsets) bool {
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
	if len(topics) == 0 {
		return
	}
	blocked, err := lookupBlocked(ctx, f, topics)
	if err != nil {
		f.Warnf("cannot tell which transactions hold the last stable offsets: %v", err)
		return
	}
	for i := range ds {
		for j := range ds[i].Partitions {
			pl := &ds[i].Partitions[j]
			if b, ok := blocked[transactions.Partition{Topic: pl.Topic, Partition: pl.Partition}]; ok {
				pl.BlockedBy = &groups.OpenTxn{TransactionalID: b.TransactionalID, ProducerID: b.ProducerID, StartOffset: b.StartOffset}
			}
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
