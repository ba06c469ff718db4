// Package fetch reads one partition with Fetch requests and walks the
// fetched record batches as a consumer with a given isolation level sees
// them, without an allocation per record: control batches are skipped, and
// under read_committed so are the transactional batches of a producer
// inside one of the block's aborted transactions (KIP-98: from the
// transaction's first offset up to its abort marker).
//
// sarama decodes the response (its RecordBatch and Record structs, one
// allocation per batch); this package replaces sarama's PartitionConsumer
// where its per-record ConsumerMessage allocation and channel hand-offs cost
// more than the reading itself.
package fetch

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// controlAbort is the type of an abort marker in a control record's key
// (version int16, type int16; 0 abort, 1 commit).
const controlAbort = 0

// Version picks a Fetch request version that carries the isolation level
// and the aborted-transaction index (4 and up) and that the configured
// Kafka version speaks; sarama lowers it further to what a broker supports.
func Version(v sarama.KafkaVersion) int16 {
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

// Record is one record as [Walk] hands it out. Its slices point into the
// fetch response and are valid until the next fetch.
type Record struct {
	Offset         int64
	Key, Value     []byte
	Headers        []*sarama.RecordHeader
	Timestamp      time.Time
	BlockTimestamp time.Time
}

// ErrLegacyCompressed is returned for a compressed message set of the
// pre-0.11 format, which Walk does not unpack.
var ErrLegacyCompressed = errors.New("compressed legacy (pre-0.11) message sets are not supported")

// Walk calls visit for every record of blk at or after offset from that a
// consumer with isolation iso is shown, in offset order; visit's Record is
// reused between calls. It returns the offset after the last whole batch
// (from when the block held none) and partial: the block ended in a batch
// cut short by the size limit.
func Walk(blk *sarama.FetchResponseBlock, from int64, iso sarama.IsolationLevel, visit func(*Record)) (next int64, partial bool, err error) {
	w := walker{next: from, from: from, iso: iso, visit: visit}
	w.aborted = slices.Clone(blk.AbortedTransactions)
	slices.SortFunc(w.aborted, func(a, b *sarama.AbortedTransaction) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
	for _, rs := range blk.RecordsSet {
		if rs.RecordBatch == nil {
			if err := w.legacy(rs.MsgSet); err != nil {
				return w.next, false, err
			}
			continue
		}
		if rs.RecordBatch.PartialTrailingRecord {
			return w.next, true, nil
		}
		w.batch(rs.RecordBatch)
	}
	return w.next, blk.Partial, nil
}

type walker struct {
	next, from int64
	iso        sarama.IsolationLevel
	visit      func(*Record)
	aborted    []*sarama.AbortedTransaction
	open       map[int64]bool // producers inside an aborted transaction
	rec        Record
}

func (w *walker) batch(b *sarama.RecordBatch) {
	last := b.FirstOffset + int64(b.LastOffsetDelta)
	for len(w.aborted) > 0 && w.aborted[0].FirstOffset <= last {
		if w.open == nil {
			w.open = map[int64]bool{}
		}
		w.open[w.aborted[0].ProducerID] = true
		w.aborted = w.aborted[1:]
	}
	hide := b.Control || (w.iso == sarama.ReadCommitted && b.IsTransactional && w.open[b.ProducerID])
	if b.Control && IsAbortMarker(b) {
		delete(w.open, b.ProducerID)
	}
	if !hide {
		for _, r := range b.Records {
			off := b.FirstOffset + r.OffsetDelta
			if off < w.from {
				continue
			}
			ts := b.FirstTimestamp.Add(r.TimestampDelta)
			if b.LogAppendTime {
				ts = b.MaxTimestamp
			}
			w.rec = Record{Offset: off, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: ts, BlockTimestamp: b.MaxTimestamp}
			w.visit(&w.rec)
		}
	}
	w.next = max(w.next, last+1)
}

// legacy walks an uncompressed pre-0.11 message set.
func (w *walker) legacy(ms *sarama.MessageSet) error {
	if ms == nil {
		return nil
	}
	for _, m := range ms.Messages {
		if m.Msg == nil {
			continue
		}
		if m.Msg.Set != nil {
			return fmt.Errorf("offset %d: %w", m.Offset, ErrLegacyCompressed)
		}
		if m.Offset >= w.from {
			w.rec = Record{Offset: m.Offset, Key: m.Msg.Key, Value: m.Msg.Value, Timestamp: m.Msg.Timestamp}
			w.visit(&w.rec)
		}
		w.next = max(w.next, m.Offset+1)
	}
	return nil
}

// IsAbortMarker reports whether a control batch is an abort marker: its
// record's key is a version and a type, 0 for abort.
func IsAbortMarker(b *sarama.RecordBatch) bool {
	if len(b.Records) == 0 || len(b.Records[0].Key) < 4 {
		return false
	}
	return binary.BigEndian.Uint16(b.Records[0].Key[2:4]) == controlAbort
}
