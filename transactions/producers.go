package transactions

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kq-dev/kq/internal/offsets"
)

// Producer is one producer active on a partition, as its leader knows it.
type Producer struct {
	offsets.TopicPartition
	// Leader is the partition's leader, which answered.
	Leader int32 `json:"leader"`
	// ProducerID and ProducerEpoch identify the producer.
	ProducerID int64 `json:"producer_id"`
	// ProducerEpoch is the producer's epoch.
	ProducerEpoch int16 `json:"producer_epoch"`
	// LastSequence is the last sequence number written (-1: none).
	LastSequence int32 `json:"last_sequence"`
	// LastTimestamp is the time of the last write (unix ms).
	LastTimestamp int64 `json:"last_timestamp"`
	// CoordinatorEpoch is the transaction coordinator's epoch of the last
	// write.
	CoordinatorEpoch int32 `json:"coordinator_epoch"`
	// TxnStartOffset is the first offset of the producer's open
	// transaction on the partition, -1 when none is open.
	TxnStartOffset int64 `json:"txn_start_offset"`
}

// Producers lists the active producers of the topics' partitions (every
// topic when none is given), sorted by topic, partition and producer id.
func (a *Admin) Producers(ctx context.Context, topics ...string) ([]Producer, error) {
	set := kadm.TopicsSet{}
	for _, t := range topics {
		set.Add(t)
	}
	ds, err := a.cl.DescribeProducers(ctx, set)
	if err != nil {
		return nil, fmt.Errorf("describe producers: %w", err)
	}
	var out []Producer
	for _, p := range ds.SortedPartitions() {
		if p.Err != nil {
			return nil, fmt.Errorf("describe producers of %s/%d: %w", p.Topic, p.Partition, p.Err)
		}
		for _, x := range p.ActiveProducers.Sorted() {
			out = append(out, Producer{
				TopicPartition: offsets.TopicPartition{Topic: x.Topic, Partition: x.Partition}, Leader: x.Leader,
				ProducerID: x.ProducerID, ProducerEpoch: x.ProducerEpoch, LastSequence: x.LastSequence,
				LastTimestamp: x.LastTimestamp, CoordinatorEpoch: x.CoordinatorEpoch, TxnStartOffset: x.CurrentTxnStartOffset,
			})
		}
	}
	return out, nil
}

// Blocker is an open transaction holding back a partition's last stable
// offset: read_committed consumers stop at its first offset.
type Blocker struct {
	offsets.TopicPartition
	// StartOffset is the transaction's first offset on the partition (the
	// last stable offset while it is open).
	StartOffset int64 `json:"start_offset"`
	// ProducerID is the producer holding the transaction open.
	ProducerID int64 `json:"producer_id"`
	// TransactionalID is the producer's transactional id ("" when no
	// coordinator lists the producer id: a hanging transaction).
	TransactionalID string `json:"transactional_id"`
}

// Blocking returns, per partition of the topics that has one, the open
// transaction whose first offset is the partition's last stable offset:
// the one read_committed consumers wait for. Its transactional id is
// looked up by producer id.
func (a *Admin) Blocking(ctx context.Context, topics ...string) (map[offsets.TopicPartition]Blocker, error) {
	ps, err := a.Producers(ctx, topics...)
	if err != nil {
		return nil, err
	}
	lso, err := a.cl.ListCommittedOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("last stable offsets: %w", err)
	}
	out := map[offsets.TopicPartition]Blocker{}
	for _, p := range ps {
		o, ok := lso.Lookup(p.Topic, p.TopicPartition.Partition)
		if p.TxnStartOffset < 0 || !ok || o.Err != nil || o.Offset != p.TxnStartOffset {
			continue
		}
		if b, ok := out[p.TopicPartition]; !ok || p.TxnStartOffset < b.StartOffset {
			out[p.TopicPartition] = Blocker{TopicPartition: p.TopicPartition, StartOffset: p.TxnStartOffset, ProducerID: p.ProducerID}
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	txns, err := a.List(ctx)
	if err != nil {
		return nil, err
	}
	ids := make(map[int64]string, len(txns))
	for _, t := range txns {
		ids[t.ProducerID] = t.TransactionalID
	}
	for k, b := range out {
		b.TransactionalID = ids[b.ProducerID]
		out[k] = b
	}
	return out, nil
}
