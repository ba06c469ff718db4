// Package fetch reads one partition with Fetch requests and walks the
// fetched record batches as a consumer with a given isolation level sees
// them, without an allocation per record: control batches are skipped, and
// under read_committed so are the transactional batches of a producer
// inside one of the block's aborted transactions (KIP-98: from the
// transaction's first offset up to its abort marker).
//
// A [Reader] fetches over a connection of its own (encoded with franz-go's
// kmsg, set up from the sarama client's configuration) and walks the
// response's record bytes in place ([WalkRaw]): no struct per record, and
// with ReuseBuffer no allocation per fetch either. [Walk] does the same
// over a response sarama decoded. This package replaces sarama's
// PartitionConsumer where its per-record allocations, garbage collection
// and channel hand-offs cost more than the reading itself.
package fetch

import (
	"cmp"
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
	w := walker{next: from, from: from, visit: visit}
	aborted := make([]Aborted, len(blk.AbortedTransactions))
	for i, a := range blk.AbortedTransactions {
		aborted[i] = Aborted{ProducerID: a.ProducerID, FirstOffset: a.FirstOffset}
	}
	w.txnFilter.init(aborted, iso)
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
	txnFilter
	next, from int64
	visit      func(*Record)
	rec        Record
}

func (w *walker) batch(b *sarama.RecordBatch) {
	last := b.FirstOffset + int64(b.LastOffsetDelta)
	if b.Control {
		w.controlBatch(last, b.ProducerID, IsAbortMarker(b))
	}
	if !b.Control && !w.hide(b.FirstOffset, last, b.IsTransactional, b.ProducerID) {
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

// txnFilter decides which batches a consumer with an isolation level is
// shown: never control batches, and under read_committed not the
// transactional batches of a producer inside one of the partition's
// aborted transactions (from its first offset up to its abort marker).
type txnFilter struct {
	iso     sarama.IsolationLevel
	aborted []Aborted      // not yet begun, by first offset
	open    map[int64]bool // producers inside an aborted transaction
}

func (f *txnFilter) init(aborted []Aborted, iso sarama.IsolationLevel) {
	f.iso = iso
	if iso != sarama.ReadCommitted || len(aborted) == 0 {
		return
	}
	f.aborted = slices.Clone(aborted)
	slices.SortFunc(f.aborted, func(a, b Aborted) int { return cmp.Compare(a.FirstOffset, b.FirstOffset) })
}

// begin opens the aborted transactions that start at or before last.
func (f *txnFilter) begin(last int64) {
	for len(f.aborted) > 0 && f.aborted[0].FirstOffset <= last {
		if f.open == nil {
			f.open = map[int64]bool{}
		}
		f.open[f.aborted[0].ProducerID] = true
		f.aborted = f.aborted[1:]
	}
}

// hide reports whether a data batch [first, last] is hidden.
func (f *txnFilter) hide(first, last int64, transactional bool, producer int64) bool {
	f.begin(last)
	return f.iso == sarama.ReadCommitted && transactional && f.open[producer]
}

// controlBatch takes a control batch ending at last: an abort marker
// closes its producer's aborted transaction.
func (f *txnFilter) controlBatch(last, producer int64, abort bool) {
	f.begin(last)
	if abort {
		delete(f.open, producer)
	}
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
	return len(b.Records) > 0 && isAbortKey(b.Records[0].Key)
}
