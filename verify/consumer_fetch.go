package verify

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// logReader reads one partition batch by batch with Fetch requests and
// applies the isolation level itself, from the aborted-transaction index
// the broker sends with each read_committed fetch (KIP-98): records of a
// producer's transactional batches are hidden from the first offset of an
// aborted transaction up to its abort marker.
//
// The validator uses it instead of sarama's partition consumer so that
// what it judges does not rest on a client's own read_committed filtering:
// it applies the broker's aborted-transaction index itself and reads only
// each marker's key. (It was first written because sarama could not decode
// the built-in broker's markers, which kfake wrote without the EndTxnMarker
// value; broker/ now repairs them.)
type logReader struct {
	client    sarama.Client
	topic     string
	partition int32
	isolation sarama.IsolationLevel
	offset    int64
	maxBytes  int32
}

// logRecord is one record the reader hands out.
type logRecord struct {
	offset int64
	value  []byte
}

const (
	fetchMaxBytes    = 1 << 20
	fetchMaxBytesCap = 64 << 20
)

// newLogReader returns a reader of topic/partition from its log start.
func newLogReader(client sarama.Client, topic string, partition int32, isolation sarama.IsolationLevel) (*logReader, error) {
	start, err := client.GetOffset(topic, partition, sarama.OffsetOldest)
	if err != nil {
		return nil, fmt.Errorf("log start of %s/%d: %w", topic, partition, err)
	}
	return &logReader{client: client, topic: topic, partition: partition, isolation: isolation, offset: start, maxBytes: fetchMaxBytes}, nil
}

// next fetches once and returns the visible records from the reader's
// offset on (possibly none); a retriable broker error comes back as an
// error after the metadata was refreshed, so the caller can retry.
func (lr *logReader) next() ([]logRecord, error) {
	block, err := lr.fetch()
	if err != nil {
		return nil, err
	}
	recs, progressed := lr.visible(block)
	if !progressed && lr.offset < block.HighWaterMarkOffset && lr.partial(block) {
		lr.maxBytes = min(lr.maxBytes*2, fetchMaxBytesCap)
	}
	return recs, nil
}

func (lr *logReader) fetch() (*sarama.FetchResponseBlock, error) {
	leader, err := lr.client.Leader(lr.topic, lr.partition)
	if err != nil {
		_ = lr.client.RefreshMetadata(lr.topic)
		return nil, fmt.Errorf("leader of %s/%d: %w", lr.topic, lr.partition, err)
	}
	// The response limit stays above the partition's: the built-in broker
	// (kfake) leaves out the aborted-transaction index of a partition whose
	// batches reach the response limit.
	req := &sarama.FetchRequest{Version: fetchVersion(lr.client.Config().Version), MaxWaitTime: int32(fetchMaxWait / time.Millisecond),
		MinBytes: 1, MaxBytes: 2 * fetchMaxBytesCap, Isolation: lr.isolation}
	if req.Version >= 7 {
		req.SessionEpoch = -1 // no fetch session
	}
	req.AddBlock(lr.topic, lr.partition, lr.offset, lr.maxBytes, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		_ = lr.client.RefreshMetadata(lr.topic)
		return nil, fmt.Errorf("fetch %s/%d: %w", lr.topic, lr.partition, err)
	}
	block := resp.GetBlock(lr.topic, lr.partition)
	switch {
	case block == nil:
		return nil, fmt.Errorf("fetch %s/%d: %w", lr.topic, lr.partition, sarama.ErrIncompleteResponse)
	case errors.Is(block.Err, sarama.ErrNoError):
		return block, nil
	case errors.Is(block.Err, sarama.ErrOffsetOutOfRange):
		return nil, fmt.Errorf("fetch %s/%d at %d: %w", lr.topic, lr.partition, lr.offset, block.Err)
	}
	_ = lr.client.RefreshMetadata(lr.topic)
	return nil, fmt.Errorf("fetch %s/%d: %w", lr.topic, lr.partition, block.Err)
}

// visible walks the batches in order and returns the records to show,
// advancing the offset past everything walked; progressed is false when
// nothing whole came back.
func (lr *logReader) visible(block *sarama.FetchResponseBlock) (recs []logRecord, progressed bool) {
	aborted := slices.Clone(block.AbortedTransactions)
	slices.SortFunc(aborted, func(a, b *sarama.AbortedTransaction) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
	open := map[int64]bool{} // producers inside an aborted transaction
	for _, rs := range block.RecordsSet {
		b := rs.RecordBatch
		if b == nil || b.PartialTrailingRecord {
			continue
		}
		for len(aborted) > 0 && aborted[0].FirstOffset <= b.LastOffset() {
			open[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		hide := b.Control || (lr.isolation == sarama.ReadCommitted && b.IsTransactional && open[b.ProducerID])
		if b.Control && isAbortMarker(b) {
			delete(open, b.ProducerID)
		}
		for _, r := range b.Records {
			if off := b.FirstOffset + r.OffsetDelta; !hide && off >= lr.offset {
				recs = append(recs, logRecord{offset: off, value: r.Value})
			}
		}
		if next := b.LastOffset() + 1; next > lr.offset {
			lr.offset, progressed = next, true
		}
	}
	return recs, progressed
}

// isAbortMarker reports whether a control batch is an abort marker: its
// record's key is a version and a type, 0 for abort.
func isAbortMarker(b *sarama.RecordBatch) bool {
	if len(b.Records) == 0 || len(b.Records[0].Key) < 4 {
		return false
	}
	return binary.BigEndian.Uint16(b.Records[0].Key[2:4]) == 0
}

func (lr *logReader) partial(block *sarama.FetchResponseBlock) bool {
	for _, rs := range block.RecordsSet {
		if rs.RecordBatch != nil && rs.RecordBatch.PartialTrailingRecord {
			return true
		}
	}
	return block.Partial
}

// fetchVersion picks a Fetch version that carries isolation and the
// aborted-transaction index (4 and up) and that the protocol version
// speaks.
func fetchVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_1_0_0):
		return 10
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 8
	case v.IsAtLeast(sarama.V1_1_0_0):
		return 7
	}
	return 4
}
