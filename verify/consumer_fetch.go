package verify

import (
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/offsets"
)

// logReader reads one partition batch by batch with Fetch requests and
// applies the isolation level itself, from the aborted-transaction index
// the broker sends with each read_committed fetch (KIP-98): records of a
// producer's transactional batches are hidden from the first offset of an
// aborted transaction up to its abort marker. The reading and the walk are
// package internal/fetch's.
//
// The validator uses it instead of sarama's partition consumer so that
// what it judges does not rest on a client's own read_committed filtering:
// it applies the broker's aborted-transaction index itself and reads only
// each marker's key. (It was first written because sarama could not decode
// the built-in broker's markers, which kfake wrote without the EndTxnMarker
// value; broker/ now repairs them.)
type logReader struct {
	r *fetch.Reader
	// offset is the next offset to read.
	offset int64
}

// logRecord is one record the reader hands out.
type logRecord struct {
	offset int64
	value  []byte
}

// newLogReader returns a reader of topic/partition from its log start;
// close closes its connection.
func newLogReader(client sarama.Client, topic string, partition int32, isolation sarama.IsolationLevel) (*logReader, error) {
	start, err := offsets.Leader(client, offsets.TopicPartition{Topic: topic, Partition: partition}, sarama.OffsetOldest)
	if err != nil {
		return nil, fmt.Errorf("log start of %s/%d: %w", topic, partition, err)
	}
	r := fetch.NewReader(client, fetch.ReaderConfig{Topic: topic, Partition: partition, Offset: start, Isolation: isolation, MaxWait: fetchMaxWait})
	return &logReader{r: r, offset: start}, nil
}

// next fetches once and returns the visible records from the reader's
// offset on (possibly none); a retriable broker error comes back as an
// error after the metadata was refreshed, so the caller can retry.
func (lr *logReader) next() ([]logRecord, error) {
	var recs []logRecord
	err := lr.r.Next(func(rec *fetch.Record) { recs = append(recs, logRecord{offset: rec.Offset, value: rec.Value}) })
	lr.offset = lr.r.Offset()
	return recs, err
}

// close closes the reader's connection.
func (lr *logReader) close() { lr.r.Close() }
