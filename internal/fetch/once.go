package fetch

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"
)

// onceMaxBytes is the most one look-up fetch asks for.
const onceMaxBytes = 1 << 20

// findRounds bounds the fetches of one [Find].
const findRounds = 4

// ErrNotFound means a [Find] ended without finding a record.
var ErrNotFound = errors.New("no record found")

// Once reads one block of topic/partition from offset with one Fetch
// request to the leader that does not wait for data: for looking at a few
// records (their timestamps, whether any is visible) in one request, where
// a [Reader] would open a connection of its own. After an error the
// client's metadata for the topic is refreshed, so a retry finds a moved
// leader.
func Once(client sarama.Client, topic string, partition int32, offset int64, iso sarama.IsolationLevel) (*sarama.FetchResponseBlock, error) {
	leader, err := client.Leader(topic, partition)
	if err != nil {
		return nil, fmt.Errorf("leader of %s/%d: %w", topic, partition, err)
	}
	req := &sarama.FetchRequest{MaxBytes: onceMaxBytes, Isolation: iso}
	if client.Config().Version.IsAtLeast(sarama.V0_11_0_0) {
		req.Version = 4 // isolation level, last stable offset, aborted transactions
	}
	req.AddBlock(topic, partition, offset, onceMaxBytes, -1)
	resp, err := leader.Fetch(req)
	if err == nil {
		if blk := resp.GetBlock(topic, partition); blk == nil {
			err = sarama.ErrIncompleteResponse
		} else if blk.Err != sarama.ErrNoError {
			err = blk.Err
		} else {
			return blk, nil
		}
	}
	_ = client.RefreshMetadata(topic)
	return nil, fmt.Errorf("fetch %s/%d: %w", topic, partition, err)
}

// Find returns the first record of topic/partition at or after offset from
// and before end that a consumer with isolation iso is shown and that match
// accepts, looking at no more than a few fetched blocks ([Once]); the
// Record's slices are valid only until the next fetch. It returns
// [ErrNotFound] when it found none.
func Find(client sarama.Client, topic string, partition int32, from, end int64, iso sarama.IsolationLevel, match func(*Record) bool) (Record, error) {
	pos := from
	for range findRounds {
		if pos >= end {
			break
		}
		blk, err := Once(client, topic, partition, pos, iso)
		if err != nil {
			return Record{}, err
		}
		var found *Record
		next, _, err := Walk(blk, pos, iso, func(r *Record) {
			if found == nil && r.Offset < end && match(r) {
				rec := *r
				found = &rec
			}
		})
		switch {
		case found != nil:
			return *found, nil
		case err != nil:
			return Record{}, err
		case next <= pos:
			return Record{}, ErrNotFound // nothing more to read yet
		}
		pos = next
	}
	return Record{}, ErrNotFound
}
