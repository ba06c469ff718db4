package fetch

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	// DefaultMaxBytes is a reader's first per-partition fetch size.
	DefaultMaxBytes = 1 << 20
	// maxBytesCap bounds the fetch size a reader grows to for one batch
	// larger than its limit.
	maxBytesCap = 64 << 20
)

// ReaderConfig configures a [Reader].
type ReaderConfig struct {
	Topic     string
	Partition int32
	// Offset is the first offset to read.
	Offset    int64
	Isolation sarama.IsolationLevel
	// MaxWait is how long the broker may wait for records to arrive.
	MaxWait time.Duration
	// MaxBytes is the first per-partition fetch size; 0 means
	// DefaultMaxBytes. It doubles (up to 64 MB) while one batch does not fit.
	MaxBytes int32
	// ReuseBuffer reads every fetch into one buffer: the slices of a
	// visited [Record] are then valid only until the next call to Next
	// (otherwise until the caller drops them).
	ReuseBuffer bool
}

// Reader reads one partition with Fetch requests to its leader, over a
// connection of its own (see brokerConn): requests on one connection are answered in order,
// so a long-polling fetch of a quiet partition would hold up the fetches of
// others sharing the client's connection. It is used from one goroutine;
// Close closes its connection.
type Reader struct {
	client sarama.Client
	c      ReaderConfig
	offset int64
	conn   *brokerConn
	req    *kmsg.FetchRequest
	// aborted is the last fetch's aborted-transaction index.
	aborted []Aborted
}

// NewReader returns a reader of c.Topic/c.Partition from c.Offset.
func NewReader(client sarama.Client, c ReaderConfig) *Reader {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	return &Reader{client: client, c: c, offset: c.Offset}
}

// Offset is the next offset the reader fetches from.
func (r *Reader) Offset() int64 { return r.offset }

// Next fetches once and walks the answer from the reader's offset (see
// [Walk]), moving the offset past every whole batch. An answer with nothing
// whole in it (one batch larger than the limit) doubles the limit.
//
// A failure to find or reach the leader, and a retriable partition error,
// come back after a metadata refresh so that the caller may retry later
// ([Retriable] says which errors are worth it).
func (r *Reader) Next(visit func(*Record)) error {
	p, err := r.fetch()
	if err != nil {
		return err
	}
	r.aborted = r.aborted[:0]
	for _, a := range p.AbortedTransactions {
		r.aborted = append(r.aborted, Aborted{ProducerID: a.ProducerID, FirstOffset: a.FirstOffset})
	}
	next, partial, err := WalkRaw(p.RecordBatches, r.aborted, r.offset, r.c.Isolation, visit)
	if next == r.offset && partial && r.c.MaxBytes < maxBytesCap {
		r.c.MaxBytes = min(2*r.c.MaxBytes, maxBytesCap)
	}
	r.offset = next
	return err
}

// Close closes the reader's connection.
func (r *Reader) Close() {
	if r.conn != nil {
		r.conn.close()
		r.conn = nil
	}
}

// leader returns the reader's connection to the partition's leader, opening
// a new one when the leader moved or the last fetch failed.
func (r *Reader) leader(tp string) (*brokerConn, error) {
	l, err := r.client.Leader(r.c.Topic, r.c.Partition)
	if err != nil {
		_ = r.client.RefreshMetadata(r.c.Topic)
		return nil, fmt.Errorf("leader of %s: %w", tp, err)
	}
	if r.conn != nil && r.conn.addr == l.Addr() {
		return r.conn, nil
	}
	r.Close()
	c, err := dialBroker(r.client.Config(), l.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect to the leader of %s: %w", tp, err)
	}
	r.conn = c
	return c, nil
}

func (r *Reader) fetch() (*kmsg.FetchResponseTopicPartition, error) {
	tp := r.c.Topic + "/" + strconv.Itoa(int(r.c.Partition))
	leader, err := r.leader(tp)
	if err != nil {
		return nil, err
	}
	req := r.request()
	resp, err := leader.fetch(req, r.c.ReuseBuffer)
	if err != nil {
		r.Close() // reconnect on the next fetch
		if !isDecodeError(err) {
			_ = r.client.RefreshMetadata(r.c.Topic)
		}
		return nil, fmt.Errorf("fetch %s: %w", tp, err)
	}
	p := partitionOf(resp, r.c.Topic, r.c.Partition)
	code := resp.ErrorCode
	if p != nil && code == 0 {
		code = p.ErrorCode
	}
	kerr := sarama.KError(code)
	switch {
	case code == 0 && p == nil:
		return nil, fmt.Errorf("fetch %s: %w", tp, sarama.ErrIncompleteResponse)
	case code == 0:
		return p, nil
	case errors.Is(kerr, sarama.ErrOffsetOutOfRange):
		return nil, fmt.Errorf("fetch %s at offset %d: %w", tp, r.offset, kerr)
	}
	_ = r.client.RefreshMetadata(r.c.Topic)
	return nil, fmt.Errorf("fetch %s: %w", tp, kerr)
}

// request returns the reader's Fetch request for its offset and limit.
// The response limit stays above the partition's: the built-in broker
// (kfake) leaves out the aborted-transaction index of a partition whose
// batches reach the response limit.
func (r *Reader) request() *kmsg.FetchRequest {
	if r.req == nil {
		req := kmsg.NewPtrFetchRequest()
		req.MaxWaitMillis = int32(r.c.MaxWait / time.Millisecond)
		req.MinBytes = 1
		req.MaxBytes = 2 * maxBytesCap
		req.IsolationLevel = int8(r.c.Isolation)
		req.SessionEpoch = -1 // no fetch session
		t := kmsg.NewFetchRequestTopic()
		t.Topic = r.c.Topic
		t.Partitions = []kmsg.FetchRequestTopicPartition{kmsg.NewFetchRequestTopicPartition()}
		req.Topics = []kmsg.FetchRequestTopic{t}
		r.req = req
	}
	p := &r.req.Topics[0].Partitions[0]
	p.Partition, p.FetchOffset, p.PartitionMaxBytes = r.c.Partition, r.offset, r.c.MaxBytes
	p.LogStartOffset, p.CurrentLeaderEpoch = -1, -1
	return r.req
}

// partitionOf finds a partition's answer in a Fetch response.
func partitionOf(resp *kmsg.FetchResponse, topic string, partition int32) *kmsg.FetchResponseTopicPartition {
	for i := range resp.Topics {
		t := &resp.Topics[i]
		if t.Topic != topic {
			continue
		}
		for j := range t.Partitions {
			if t.Partitions[j].Partition == partition {
				return &t.Partitions[j]
			}
		}
	}
	return nil
}

// Retriable reports whether a [Reader.Next] error may go away on a later
// try: not for an offset out of range, an answer that cannot be decoded,
// or a legacy compressed message set.
func Retriable(err error) bool {
	return !errors.Is(err, sarama.ErrOffsetOutOfRange) && !errors.Is(err, ErrLegacyCompressed) && !isDecodeError(err)
}

func isDecodeError(err error) bool {
	var pde sarama.PacketDecodingError
	return errors.Is(err, sarama.ErrInsufficientData) || errors.As(err, &pde)
}
