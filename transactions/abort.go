package transactions

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// AbortOptions name the hanging transaction to abort on one partition: by
// its start offset (as kafka-transactions.sh abort --start-offset) or by
// its producer id.
type AbortOptions struct {
	// Topic and Partition are where the transaction is open.
	Topic string
	// Partition is the partition number.
	Partition int32
	// StartOffset is the transaction's first offset (-1: not given).
	StartOffset int64
	// ProducerID is the producer holding it open (-1: not given).
	ProducerID int64
}

// Aborted is what [Admin.Abort] wrote.
type Aborted struct {
	offsets.TopicPartition
	// ProducerID and ProducerEpoch are the aborted transaction's producer.
	ProducerID int64 `json:"producer_id"`
	// ProducerEpoch is the producer's epoch.
	ProducerEpoch int16 `json:"producer_epoch"`
	// CoordinatorEpoch is the coordinator epoch the marker carries.
	CoordinatorEpoch int32 `json:"coordinator_epoch"`
	// StartOffset was the transaction's first offset.
	StartOffset int64 `json:"start_offset"`
}

// errNoSuchTxn is the cause when no open transaction matches.
var errNoSuchTxn = errors.New("no open transaction")

// Abort writes an abort marker for the open transaction that o names, as
// the transaction coordinator would have: the partition's leader then
// drops it from the last stable offset and read_committed consumers skip
// its records.
func (a *Admin) Abort(ctx context.Context, o AbortOptions) (Aborted, error) {
	if o.StartOffset < 0 && o.ProducerID < 0 {
		return Aborted{}, kqerr.Settingf("name the transaction: {start offset} or {producer id}")
	}
	ps, err := a.Producers(ctx, o.Topic)
	if err != nil {
		return Aborted{}, err
	}
	var match []Producer
	for _, p := range ps {
		if p.TopicPartition.Partition != o.Partition || p.TxnStartOffset < 0 {
			continue
		}
		if (o.StartOffset < 0 || p.TxnStartOffset == o.StartOffset) && (o.ProducerID < 0 || p.ProducerID == o.ProducerID) {
			match = append(match, p)
		}
	}
	switch len(match) {
	case 0:
		return Aborted{}, fmt.Errorf("%s/%d: %w matches (see kq producers %s)", o.Topic, o.Partition, errNoSuchTxn, o.Topic)
	case 1:
	default:
		return Aborted{}, kqerr.Settingf("%s/%d: %d open transactions match; give {producer id} too", o.Topic, o.Partition, len(match))
	}
	p := match[0]
	m := kadm.TxnMarkers{ProducerID: p.ProducerID, ProducerEpoch: p.ProducerEpoch, CoordinatorEpoch: p.CoordinatorEpoch,
		Topics: kadm.TopicsSet{o.Topic: {o.Partition: struct{}{}}}}
	rs, err := a.cl.WriteTxnMarkers(ctx, m)
	if err != nil {
		return Aborted{}, fmt.Errorf("write abort marker: %w", err)
	}
	if pr, ok := rs[p.ProducerID].Topics[o.Topic].Partitions[o.Partition]; !ok {
		return Aborted{}, fmt.Errorf("write abort marker: no answer for %s/%d", o.Topic, o.Partition)
	} else if pr.Err != nil {
		return Aborted{}, fmt.Errorf("write abort marker on %s/%d: %w", o.Topic, o.Partition, pr.Err)
	}
	return Aborted{TopicPartition: p.TopicPartition, ProducerID: p.ProducerID, ProducerEpoch: p.ProducerEpoch,
		CoordinatorEpoch: p.CoordinatorEpoch, StartOffset: p.TxnStartOffset}, nil
}
