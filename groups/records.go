package groups

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// fetchBytes is the most one direct fetch asks for.
const fetchBytes = 1 << 20

// fetchRounds bounds the fetches of one record search.
const fetchRounds = 4

// fetchBlock reads one block of a partition from offset with a direct
// fetch request that does not wait for data. Looking at a few records
// (their timestamps, or whether they are aborted) this way is one request,
// where a partition consumer would start goroutines and long-poll; it also
// does not depend on sarama decoding transaction markers, which it could
// not do for the built-in broker before broker/ repaired them.
func (c *Client) fetchBlock(tp offsets.TopicPartition, offset int64, iso sarama.IsolationLevel) (*sarama.FetchResponseBlock, error) {
	leader, err := c.client.Leader(tp.Topic, tp.Partition)
	if err != nil {
		return nil, fmt.Errorf("leader of %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	req := &sarama.FetchRequest{MaxBytes: fetchBytes, Isolation: iso}
	if c.client.Config().Version.IsAtLeast(sarama.V0_11_0_0) {
		req.Version = 4 // isolation level and aborted transactions
	}
	req.AddBlock(tp.Topic, tp.Partition, offset, fetchBytes, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s/%d: %w", tp.Topic, tp.Partition, err)
	}
	blk := resp.GetBlock(tp.Topic, tp.Partition)
	switch {
	case blk == nil:
		return nil, fmt.Errorf("fetch %s/%d: %w", tp.Topic, tp.Partition, sarama.ErrIncompleteResponse)
	case offsets.IsKError(blk.Err):
		return nil, fmt.Errorf("fetch %s/%d: %w", tp.Topic, tp.Partition, blk.Err)
	}
	return blk, nil
}

// fetchedRecord is one data record of a fetched block.
type fetchedRecord struct {
	offset  int64
	time    time.Time
	aborted bool
}

// walkBlock calls fn, in offset order, for each data record of blk at or
// after from, skipping transaction markers; aborted says whether the record
// belongs to a transaction the block reports as aborted (only
// read_committed fetches report them). It stops when fn returns false and
// returns the offset after the last whole batch seen: where the next fetch
// starts.
func walkBlock(blk *sarama.FetchResponseBlock, from int64, fn func(fetchedRecord) bool) (next int64) {
	next = from
	pending := map[int64][]int64{} // producer id -> first offsets of its aborted transactions
	for _, a := range blk.AbortedTransactions {
		pending[a.ProducerID] = append(pending[a.ProducerID], a.FirstOffset)
	}
	inAborted := map[int64]bool{}
	for _, set := range blk.RecordsSet {
		b := set.RecordBatch
		if b == nil || b.PartialTrailingRecord {
			break // legacy message sets and cut-off batches: stop here
		}
		last := b.FirstOffset + int64(b.LastOffsetDelta)
		if b.Control {
			if len(b.Records) > 0 && isAbortMarker(b.Records[0].Key) {
				delete(inAborted, b.ProducerID)
			}
			next = max(next, last+1)
			continue
		}
		if startsAborted(pending, b.ProducerID, last) {
			inAborted[b.ProducerID] = true
		}
		aborted := b.IsTransactional && inAborted[b.ProducerID]
		for _, r := range b.Records {
			off := b.FirstOffset + r.OffsetDelta
			if off >= from && !fn(fetchedRecord{offset: off, time: recordTime(b, r), aborted: aborted}) {
				return next
			}
		}
		next = max(next, last+1)
	}
	return next
}

// startsAborted consumes the aborted transactions of producer that begin
// at or before last and reports whether there was one.
func startsAborted(pending map[int64][]int64, producer, last int64) bool {
	found := false
	firsts := pending[producer]
	for len(firsts) > 0 && firsts[0] <= last {
		firsts, found = firsts[1:], true
	}
	pending[producer] = firsts
	return found
}

// isAbortMarker reports whether a control record key (version int16, type
// int16) is an abort marker (type 0).
func isAbortMarker(key []byte) bool {
	return len(key) >= 4 && key[2] == 0 && key[3] == 0
}

// recordTime is a record's timestamp as consumers see it.
func recordTime(b *sarama.RecordBatch, r *sarama.Record) time.Time {
	if b.LogAppendTime {
		return b.MaxTimestamp
	}
	return b.FirstTimestamp.Add(r.TimestampDelta)
}

// errNoRecord means a record search ended without finding one.
var errNoRecord = errors.New("no record found")

// findRecord searches the partition from offset from up to (not
// including) end for the first record match accepts, fetching at most
// fetchRounds blocks.
func (c *Client) findRecord(tp offsets.TopicPartition, from, end int64, iso sarama.IsolationLevel, match func(fetchedRecord) bool) (fetchedRecord, error) {
	pos := from
	for range fetchRounds {
		if pos >= end {
			break
		}
		blk, err := c.fetchBlock(tp, pos, iso)
		if err != nil {
			return fetchedRecord{}, err
		}
		var found *fetchedRecord
		next := walkBlock(blk, pos, func(r fetchedRecord) bool {
			if r.offset >= end {
				return false
			}
			if match(r) {
				found = &r
				return false
			}
			return true
		})
		if found != nil {
			return *found, nil
		}
		if next <= pos {
			break // nothing more to read yet
		}
		pos = next
	}
	return fetchedRecord{}, errNoRecord
}
