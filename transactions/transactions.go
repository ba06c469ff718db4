// Package transactions inspects and repairs Kafka transactions: list and
// describe transactional ids, show the producers writing to partitions,
// find the open transactions holding back a partition's last stable
// offset, and abort a hanging transaction by writing an abort marker, as
// Kafka's kafka-transactions.sh does. Requests go through franz-go's kadm
// (package internal/kadmin).
package transactions

import (
	"context"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kq-dev/kq/internal/offsets"
)

// Admin runs the transaction admin requests.
type Admin struct{ cl *kadm.Client }

// New returns an Admin over a kadm client.
func New(cl *kadm.Client) *Admin { return &Admin{cl: cl} }

// Txn is one transactional id as listed by its coordinator.
type Txn struct {
	// TransactionalID is the producer's transactional.id.
	TransactionalID string `json:"transactional_id"`
	// ProducerID is the producer id the transactional id holds.
	ProducerID int64 `json:"producer_id"`
	// State is Empty, Ongoing, PrepareCommit, PrepareAbort,
	// CompleteCommit, CompleteAbort, Dead or PrepareEpochFence.
	State string `json:"state"`
	// Coordinator is the broker coordinating the transactional id.
	Coordinator int32 `json:"coordinator"`
}

// List lists the cluster's transactional ids, optionally only those in
// the given states.
func (a *Admin) List(ctx context.Context, states ...string) ([]Txn, error) {
	ls, err := a.cl.ListTransactions(ctx, nil, states)
	if err != nil {
		return nil, fmt.Errorf("list transactions: %w", err)
	}
	out := make([]Txn, 0, len(ls))
	for _, t := range ls.Sorted() {
		out = append(out, Txn{TransactionalID: t.TxnID, ProducerID: t.ProducerID, State: t.State, Coordinator: t.Coordinator})
	}
	return out, nil
}

// Described is one transactional id in detail.
type Described struct {
	Txn
	// ProducerEpoch is the producer id's epoch.
	ProducerEpoch int16 `json:"producer_epoch"`
	// TimeoutMs is the transaction timeout.
	TimeoutMs int32 `json:"timeout_ms"`
	// StartTimestamp is when the open transaction started (unix ms; -1
	// when none is open).
	StartTimestamp int64 `json:"start_timestamp"`
	// Partitions are the partitions in the open transaction.
	Partitions []offsets.TopicPartition `json:"partitions"`
	// Error is why the id could not be described ("" when it was).
	Error string `json:"error,omitempty"`
}

// Describe describes transactional ids.
func (a *Admin) Describe(ctx context.Context, ids ...string) ([]Described, error) {
	ds, err := a.cl.DescribeTransactions(ctx, ids...)
	if err != nil && len(ds) == 0 {
		return nil, fmt.Errorf("describe transactions: %w", err)
	}
	out := make([]Described, 0, len(ds))
	for _, d := range ds.Sorted() {
		x := Described{
			Txn:           Txn{TransactionalID: d.TxnID, ProducerID: d.ProducerID, State: d.State, Coordinator: d.Coordinator},
			ProducerEpoch: d.ProducerEpoch, TimeoutMs: d.TimeoutMillis, StartTimestamp: d.StartTimestamp,
			Partitions: partitions(d.Topics),
		}
		if d.Err != nil {
			x.Error = d.Err.Error()
		}
		out = append(out, x)
	}
	return out, nil
}

func partitions(s kadm.TopicsSet) []offsets.TopicPartition {
	out := []offsets.TopicPartition{}
	for t, ps := range s {
		for p := range ps {
			out = append(out, offsets.TopicPartition{Topic: t, Partition: p})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}
