package wire

import (
	"encoding/binary"
	"hash/crc32"
)

// The layout of a record batch of magic 2 (KIP-98), the form in which
// Produce requests, Fetch responses and the log hold records: byte offsets
// into a batch, the length of its header, and its attribute bits. The
// magic byte sits at BatchMagic in legacy messages (magic 0 and 1) too.
const (
	// LogOverhead is the base offset and the length before every batch.
	LogOverhead = 12
	// BatchLeaderEpoch is the partition leader epoch (int32).
	BatchLeaderEpoch = 12
	// BatchMagic is the magic byte: 2 for a record batch.
	BatchMagic = 16
	// BatchCRC is the CRC-32C (uint32) of the rest of the batch from
	// BatchAttributes on (see BatchChecksum).
	BatchCRC = 17
	// BatchAttributes are the attribute bits (int16).
	BatchAttributes = 21
	// BatchLastDelta is the last offset delta (int32).
	BatchLastDelta = 23
	// BatchFirstTime and BatchMaxTime are the first and the largest
	// timestamps (int64 milliseconds).
	BatchFirstTime = 27
	BatchMaxTime   = 35
	// BatchProducerID, BatchProducerEpoch and BatchBaseSequence identify
	// an idempotent producer's batch (int64, int16, int32).
	BatchProducerID    = 43
	BatchProducerEpoch = 51
	BatchBaseSequence  = 53
	// BatchRecordCount is the number of records (int32).
	BatchRecordCount = 57
	// BatchHeaderLen is the length of the header; the records follow.
	BatchHeaderLen = 61

	// AttrCodec are the compression codec's bits of the attributes.
	AttrCodec = 0x07
	// AttrLogAppendTime marks timestamps set by the broker on append.
	AttrLogAppendTime = 0x08
	// AttrTransactional marks a batch written inside a transaction.
	AttrTransactional = 0x10
	// AttrControl marks a control batch (a transaction marker).
	AttrControl = 0x20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CRC32C is the Castagnoli checksum Kafka uses for batches (and kfake for
// its segment index entries).
func CRC32C(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// BatchChecksum is the checksum a well-formed batch carries at BatchCRC.
// batch must be at least BatchAttributes long.
func BatchChecksum(batch []byte) uint32 { return CRC32C(batch[BatchAttributes:]) }

// NextBatch splits the first whole record batch off raw, a run of batches
// as a Fetch answer or a log segment holds them. ok is false, and rest is
// raw, when raw does not start with a whole batch at least a header long:
// a partial batch at the end of an answer, or no batch at all.
func NextBatch(raw []byte) (batch, rest []byte, ok bool) {
	if len(raw) < LogOverhead {
		return nil, raw, false
	}
	n := LogOverhead + int64(int32(binary.BigEndian.Uint32(raw[8:LogOverhead])))
	if n < BatchHeaderLen || n > int64(len(raw)) {
		return nil, raw, false
	}
	return raw[:n], raw[n:], true
}

// BatchBase is the offset of a batch's first record.
func BatchBase(batch []byte) int64 { return int64(binary.BigEndian.Uint64(batch)) }

// BatchEnd is the offset after a batch's last record: its base offset
// plus its last offset delta plus one.
func BatchEnd(batch []byte) int64 {
	return BatchBase(batch) + int64(int32(binary.BigEndian.Uint32(batch[BatchLastDelta:]))) + 1
}
