package produce

import (
	"encoding/binary"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/IBM/sarama"
)

// batchOverhead is the size of a record batch header (v2).
const batchOverhead = 61

// batch is the records of one partition on their way to the broker. Record
// bytes live in one arena and records refer to it by offset, so that
// growing the arena never invalidates them; sarama's view of the batch is
// built when it is sent. Batches are reused.
type batch struct {
	partition int32
	arena     []byte
	recs      []recMeta
	hdrs      []hdrMeta
	inputs    []string      // input names of the records' positions
	size      int           // encoded size of the batch
	base      int64         // timestamp of the first record (Unix ms)
	maxTS     int64         // largest timestamp (Unix ms)
	opened    time.Duration // when the first record was added (for linger)
	full      bool          // sealed because the next record would not fit

	// Delivery state.
	seq uint64 // seal order, for the retry hold
	// producer is the idempotent producer's id and epoch and the batch's
	// first sequence number, or noProducer.
	producer producerSeq
	// firstSeq is producer.seq until a batch sealed before this one
	// failed without being written: then the later batches of the
	// partition take its sequence numbers (accumulator.renumberAfter).
	firstSeq  atomic.Int32
	firstSend time.Time
	notBefore time.Time // a retry waits until then
	attempts  int
	// refused holds the broker's answer when every attempt so far was
	// refused before the append (NOT_ENOUGH_REPLICAS) and the batch is not
	// in flight; nil otherwise. maybeWritten is set once an attempt ended
	// without proof it was not written (a timeout, a cut connection,
	// NOT_ENOUGH_REPLICAS_AFTER_APPEND). See fate.go.
	refused      atomic.Pointer[error]
	maybeWritten atomic.Bool
	rb           *sarama.RecordBatch
	srecs        []sarama.Record
	sptrs        []*sarama.Record
	shdrs        []sarama.RecordHeader
	shptrs       []*sarama.RecordHeader
}

// recMeta is one record of a batch: offsets into the arena (length -1 for
// null), its headers in hdrs, its timestamp and where it came from. It
// holds no pointer, so the garbage collector never scans it.
type recMeta struct {
	key, keyLen     int32
	value, valueLen int32
	hdr, hdrLen     int32
	input           int32         // index in inputs
	ts              int64         // Unix ms
	enqueued        time.Duration // since the run's start
	line, index     int64
}

// hdrMeta is one header of a record of a batch.
type hdrMeta struct {
	key, keyLen     int32
	value, valueLen int32
}

// reset empties b for reuse, with room for arenaBytes of record data.
func (b *batch) reset(partition int32, arenaBytes int) {
	b.partition = partition
	if cap(b.arena) < arenaBytes {
		b.arena = make([]byte, 0, arenaBytes)
	}
	b.arena = b.arena[:0]
	b.recs = b.recs[:0]
	b.hdrs = b.hdrs[:0]
	b.inputs = b.inputs[:0]
	b.size = batchOverhead
	b.full = false
	b.firstSend, b.notBefore = time.Time{}, time.Time{}
	b.attempts = 0
	b.refused.Store(nil)
	b.maybeWritten.Store(false)
	b.rb = nil
	b.producer = noProducer
	b.firstSeq.Store(noProducer.seq)
}

// cost is what b's records count against the buffer limit: their encoded
// bytes and their metadata.
func (b *batch) cost() int { return b.size - batchOverhead + len(b.recs)*recMetaBytes }

// memory is what a kept batch holds: its arena and metadata.
func (b *batch) memory() int {
	return cap(b.arena) + cap(b.recs)*recMetaBytes + cap(b.hdrs)*int(unsafe.Sizeof(hdrMeta{}))
}

// recordSize is the encoded size r adds to b when its timestamp is ts
// (Unix ms).
func (b *batch) recordSize(r *Record, ts int64) int {
	body := b.recordBody(r, ts)
	return varintLen(int64(body)) + body
}

// recordBody is the size of r's encoding after its length prefix.
func (b *batch) recordBody(r *Record, ts int64) int {
	body := 1 + varintLen(b.delta(ts)) + varintLen(int64(len(b.recs))) +
		bytesLen(r.Key) + bytesLen(r.Value) + varintLen(int64(len(r.Headers)))
	for _, h := range r.Headers {
		body += bytesLen(h.Key) + bytesLen(h.Value)
	}
	return body
}

// delta is ts relative to the batch's first timestamp.
func (b *batch) delta(ts int64) int64 {
	if len(b.recs) == 0 {
		return 0
	}
	return ts - b.base
}

// add appends r with timestamp ts (Unix ms), read at now (since the run's
// start), whose encoded size is size. The arena receives the record in
// its wire form (KIP-98 record v2: length, attributes, timestamp and
// offset deltas, key, value, headers), so that a batch is sent without
// re-encoding its records; the metadata points at the key, value and
// header bytes inside it.
func (b *batch) add(r *Record, ts int64, now time.Duration, size int) {
	body := b.recordBody(r, ts)
	if len(b.recs) == 0 {
		b.base, b.maxTS, b.opened = ts, ts, now
	}
	b.maxTS = max(b.maxTS, ts)
	if n := len(b.inputs); n == 0 || b.inputs[n-1] != r.Pos.Input {
		b.inputs = append(b.inputs, r.Pos.Input)
	}
	m := recMeta{
		hdr: int32(len(b.hdrs)), hdrLen: int32(len(r.Headers)), input: int32(len(b.inputs) - 1),
		ts: ts, enqueued: now, line: r.Pos.Line, index: r.Pos.Index,
	}
	b.arena = binary.AppendVarint(b.arena, int64(body))
	b.arena = append(b.arena, 0) // attributes
	b.arena = binary.AppendVarint(b.arena, ts-b.base)
	b.arena = binary.AppendVarint(b.arena, int64(len(b.recs)))
	m.key, m.keyLen = b.put(r.Key)
	m.value, m.valueLen = b.put(r.Value)
	b.arena = binary.AppendVarint(b.arena, int64(len(r.Headers)))
	for _, h := range r.Headers {
		var hm hdrMeta
		hm.key, hm.keyLen = b.put(h.Key)
		hm.value, hm.valueLen = b.put(h.Value)
		b.hdrs = append(b.hdrs, hm)
	}
	b.recs = append(b.recs, m)
	b.size += size
}

// put appends p to the arena with its varint length (-1 for nil) and
// returns the offset of its bytes and its length (-1 for nil).
func (b *batch) put(p []byte) (int32, int32) {
	if p == nil {
		b.arena = binary.AppendVarint(b.arena, -1)
		return 0, -1
	}
	b.arena = binary.AppendVarint(b.arena, int64(len(p)))
	off := len(b.arena)
	b.arena = append(b.arena, p...)
	return int32(off), int32(len(p))
}

// slice returns the arena bytes at off, or nil for length -1.
func (b *batch) slice(off, n int32) []byte {
	if n < 0 {
		return nil
	}
	return b.arena[off : off+n : off+n]
}

// recordBatch returns b as a sarama record batch, building it on first use
// (a retry sends the same one). Uncompressed, sarama sends the arena's
// encoded records as they are; compressed, it encodes sarama records
// built over the arena.
func (b *batch) recordBatch(codec sarama.CompressionCodec) *sarama.RecordBatch {
	if b.rb != nil {
		b.rb.FirstSequence = b.firstSeq.Load() // renumbered since the last attempt, maybe
		b.rb.ProducerID, b.rb.ProducerEpoch = b.producer.id, b.producer.epoch
		return b.rb
	}
	b.rb = &sarama.RecordBatch{
		Version: 2, Codec: codec, CompressionLevel: sarama.CompressionLevelDefault,
		FirstTimestamp: time.UnixMilli(b.base), MaxTimestamp: time.UnixMilli(b.maxTS), LastOffsetDelta: int32(len(b.recs) - 1),
		ProducerID: b.producer.id, ProducerEpoch: b.producer.epoch, FirstSequence: b.firstSeq.Load(),
	}
	if codec == sarama.CompressionNone && preEncodedRecords.ok() {
		// sarama takes the record count from len(Records) and the records
		// from the pre-encoded bytes.
		b.sptrs = slices.Grow(b.sptrs[:0], len(b.recs))[:len(b.recs)]
		clear(b.sptrs)
		b.rb.Records = b.sptrs
		preEncodedRecords.set(b.rb, b.arena)
		return b.rb
	}
	b.srecs = slices.Grow(b.srecs[:0], len(b.recs))
	b.shdrs = slices.Grow(b.shdrs[:0], len(b.hdrs))
	for i := range b.recs {
		m := &b.recs[i]
		b.srecs = append(b.srecs, sarama.Record{
			TimestampDelta: time.Duration(m.ts-b.base) * time.Millisecond,
			OffsetDelta:    int64(i),
			Key:            b.slice(m.key, m.keyLen),
			Value:          b.slice(m.value, m.valueLen),
		})
		for _, h := range b.hdrs[m.hdr : m.hdr+m.hdrLen] {
			b.shdrs = append(b.shdrs, sarama.RecordHeader{Key: b.slice(h.key, h.keyLen), Value: b.slice(h.value, h.valueLen)})
		}
	}
	b.linkPointers()
	b.rb.Records = b.sptrs
	return b.rb
}

// linkPointers points sarama's record and header pointer slices at srecs
// and shdrs, which no longer grow.
func (b *batch) linkPointers() {
	b.sptrs = slices.Grow(b.sptrs[:0], len(b.srecs))
	for i := range b.srecs {
		b.sptrs = append(b.sptrs, &b.srecs[i])
	}
	b.shptrs = slices.Grow(b.shptrs[:0], len(b.shdrs))
	for i := range b.shdrs {
		b.shptrs = append(b.shptrs, &b.shdrs[i])
	}
	h := 0
	for i := range b.recs {
		n := int(b.recs[i].hdrLen)
		if n > 0 {
			b.srecs[i].Headers = b.shptrs[h : h+n : h+n]
		}
		h += n
	}
}

// pos returns where record i came from.
func (b *batch) pos(i int) Position {
	m := &b.recs[i]
	return Position{Input: b.inputs[m.input], Line: m.line, Index: m.index}
}

// dataBytes returns the key and value bytes of record i.
func (b *batch) dataBytes(i int) int {
	m := &b.recs[i]
	return int(max(m.keyLen, 0) + max(m.valueLen, 0))
}

// varintLen is the size of v as a zig-zag varint.
func varintLen(v int64) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutVarint(buf[:], v)
}

// bytesLen is the encoded size of a varint-length-prefixed byte string
// (null: length -1).
func bytesLen(p []byte) int {
	if p == nil {
		return varintLen(-1)
	}
	return varintLen(int64(len(p))) + len(p)
}
