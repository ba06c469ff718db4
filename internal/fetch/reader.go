package fetch

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
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
}

// Reader reads one partition with Fetch requests to its leader, over a
// connection of its own: requests on one connection are answered in order,
// so a long-polling fetch of a quiet partition would hold up the fetches of
// others sharing the client's connection. It is used from one goroutine;
// Close closes its connection.
type Reader struct {
	client sarama.Client
	c      ReaderConfig
	offset int64
	conn   *sarama.Broker
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
	blk, err := r.fetch()
	if err != nil {
		return err
	}
	next, partial, err := Walk(blk, r.offset, r.c.Isolation, visit)
	if next == r.offset && partial && r.c.MaxBytes < maxBytesCap {
		r.c.MaxBytes = min(2*r.c.MaxBytes, maxBytesCap)
	}
	r.offset = next
	return err
}

// Close closes the reader's connection.
func (r *Reader) Close() {
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
}

// leader returns the reader's connection to the partition's leader, opening
// a new one when the leader moved or the last fetch failed.
func (r *Reader) leader(tp string) (*sarama.Broker, error) {
	l, err := r.client.Leader(r.c.Topic, r.c.Partition)
	if err != nil {
		_ = r.client.RefreshMetadata(r.c.Topic)
		return nil, fmt.Errorf("leader of %s: %w", tp, err)
	}
	if r.conn != nil && r.conn.Addr() == l.Addr() {
		return r.conn, nil
	}
	r.Close()
	b := sarama.NewBroker(l.Addr())
	if err := b.Open(r.client.Config()); err != nil {
		return nil, fmt.Errorf("connect to the leader of %s: %w", tp, err)
	}
	r.conn = b
	return b, nil
}

func (r *Reader) fetch() (*sarama.FetchResponseBlock, error) {
	tp := r.c.Topic + "/" + strconv.Itoa(int(r.c.Partition))
	leader, err := r.leader(tp)
	if err != nil {
		return nil, err
	}
	// The response limit stays above the partition's: the built-in broker
	// (kfake) leaves out the aborted-transaction index of a partition whose
	// batches reach the response limit.
	req := &sarama.FetchRequest{Version: Version(r.client.Config().Version), MaxWaitTime: int32(r.c.MaxWait / time.Millisecond),
		MinBytes: 1, MaxBytes: 2 * maxBytesCap, Isolation: r.c.Isolation}
	if req.Version >= 7 {
		req.SessionEpoch = -1 // no fetch session
	}
	req.AddBlock(r.c.Topic, r.c.Partition, r.offset, r.c.MaxBytes, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		r.Close() // reconnect on the next fetch
		if !isDecodeError(err) {
			_ = r.client.RefreshMetadata(r.c.Topic)
		}
		return nil, fmt.Errorf("fetch %s: %w", tp, err)
	}
	blk := resp.GetBlock(r.c.Topic, r.c.Partition)
	switch {
	case blk == nil:
		return nil, fmt.Errorf("fetch %s: %w", tp, sarama.ErrIncompleteResponse)
	case errors.Is(blk.Err, sarama.ErrNoError):
		return blk, nil
	case errors.Is(blk.Err, sarama.ErrOffsetOutOfRange):
		return nil, fmt.Errorf("fetch %s at offset %d: %w", tp, r.offset, blk.Err)
	}
	_ = r.client.RefreshMetadata(r.c.Topic)
	return nil, fmt.Errorf("fetch %s: %w", tp, blk.Err)
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
