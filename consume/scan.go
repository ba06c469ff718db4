package consume

import (
	"encoding/binary"
	"slices"

	"github.com/IBM/sarama"
)

// controlAbort is the type of an abort marker in a control record key
// (version int16, type int16; 0 abort, 1 commit).
const controlAbort = 0

// scanBlock looks through one fetched partition block for a record a
// consumer with isolation iso would deliver at an offset in [from, to). It
// returns visible when it finds one; otherwise scanned is the offset up to
// which the block proved there is none (from when it proved nothing, at
// most to).
//
// Control batches are never delivered; under read_committed neither are
// transactional batches of a producer inside one of the block's aborted
// transactions (from its first offset up to its abort marker).
func scanBlock(blk *sarama.FetchResponseBlock, from, to int64, iso Isolation) (visible bool, scanned int64) {
	scanned = from
	aborted := slices.Clone(blk.AbortedTransactions)
	slices.SortFunc(aborted, func(a, b *sarama.AbortedTransaction) int { return compareInt64(a.FirstOffset, b.FirstOffset) })
	inAborted := map[int64]bool{}
	for _, recs := range blk.RecordsSet {
		if scanned >= to {
			break
		}
		b := recs.RecordBatch
		if b == nil {
			if legacyVisible(recs.MsgSet, from, to) {
				return true, scanned
			}
			return false, scanned // legacy message sets: prove nothing
		}
		if b.PartialTrailingRecord {
			return false, scanned
		}
		last := b.FirstOffset + int64(b.LastOffsetDelta)
		for len(aborted) > 0 && aborted[0].FirstOffset <= last {
			inAborted[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		switch {
		case b.Control:
			if isAbortMarker(b) {
				delete(inAborted, b.ProducerID)
			}
		case iso == ReadCommitted && b.IsTransactional && inAborted[b.ProducerID]:
		default:
			if batchHasOffsetIn(b, from, to) {
				return true, scanned
			}
		}
		scanned = max(scanned, last+1)
	}
	return false, min(scanned, to)
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isAbortMarker reports whether a control batch is an abort marker.
func isAbortMarker(b *sarama.RecordBatch) bool {
	if len(b.Records) == 0 || len(b.Records[0].Key) < 4 {
		return false
	}
	return binary.BigEndian.Uint16(b.Records[0].Key[2:4]) == controlAbort
}

func batchHasOffsetIn(b *sarama.RecordBatch, from, to int64) bool {
	for _, r := range b.Records {
		if o := b.FirstOffset + r.OffsetDelta; o >= from && o < to {
			return true
		}
	}
	return false
}

func legacyVisible(ms *sarama.MessageSet, from, to int64) bool {
	if ms == nil {
		return false
	}
	for _, m := range ms.Messages {
		if m.Offset >= from && m.Offset < to {
			return true
		}
	}
	return false
}
