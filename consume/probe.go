package consume

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

// probeFetchBytes is the most one probe fetch asks for.
const probeFetchBytes = 1 << 20

// probeRounds bounds the fetches of one probe; a later probe resumes where
// this one stopped.
const probeRounds = 4

// prober checks, with direct fetches that bypass the partition consumers,
// whether a partition holds anything deliverable before its bound.
type prober struct {
	client sarama.Client
	iso    setting.Isolation
}

// scan reports whether the partition holds a deliverable record in
// [from, to). When it finds none, proven is the offset up to which it is
// sure there is none (at least from).
func (p *prober) scan(topic string, partition int32, from, to int64) (visible bool, proven int64, err error) {
	proven = from
	for range probeRounds {
		if proven >= to {
			return false, proven, nil
		}
		blk, err := p.fetch(topic, partition, proven)
		if err != nil {
			return false, proven, err
		}
		vis, next := scanBlock(blk, proven, to, p.iso)
		if vis {
			return true, proven, nil
		}
		if next == proven {
			return false, proven, nil // nothing more fetchable yet
		}
		proven = next
	}
	return false, proven, nil
}

// fetch reads one block of the partition from offset, without waiting.
func (p *prober) fetch(topic string, partition int32, offset int64) (*sarama.FetchResponseBlock, error) {
	leader, err := p.client.Leader(topic, partition)
	if err != nil {
		return nil, fmt.Errorf("leader of %s/%d: %w", topic, partition, err)
	}
	req := &sarama.FetchRequest{MaxBytes: probeFetchBytes, Isolation: p.iso.Sarama()}
	if p.client.Config().Version.IsAtLeast(sarama.V0_11_0_0) {
		req.Version = 4 // isolation level, last stable offset, aborted transactions
	}
	req.AddBlock(topic, partition, offset, probeFetchBytes, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		_ = p.client.RefreshMetadata(topic)
		return nil, fmt.Errorf("probe fetch %s/%d: %w", topic, partition, err)
	}
	blk := resp.GetBlock(topic, partition)
	if blk == nil {
		return nil, fmt.Errorf("probe fetch %s/%d: %w", topic, partition, sarama.ErrIncompleteResponse)
	}
	if !errors.Is(blk.Err, sarama.ErrNoError) {
		if errors.Is(blk.Err, sarama.ErrNotLeaderForPartition) {
			_ = p.client.RefreshMetadata(topic)
		}
		return nil, fmt.Errorf("probe fetch %s/%d: %w", topic, partition, blk.Err)
	}
	return blk, nil
}

// firstAtOrAfter returns the offset of the first record at or after from
// whose unix-ms timestamp is at least ms, looking at what one fetch from from
// returns; from when it finds none or the fetch fails. It corrects brokers
// whose ListOffsets by time answers with an earlier record of the right
// batch.
func (p *prober) firstAtOrAfter(tp topicPartition, from, ms int64) int64 {
	blk, err := p.fetch(tp.topic, tp.partition, from)
	if err != nil {
		return from
	}
	for _, recs := range blk.RecordsSet {
		b := recs.RecordBatch
		if b == nil || b.PartialTrailingRecord {
			return from
		}
		for _, r := range b.Records {
			o := b.FirstOffset + r.OffsetDelta
			if o >= from && recordTime(b, r).UnixMilli() >= ms {
				return o
			}
		}
	}
	return from
}

// recordTime is a record's timestamp as a consumer sees it.
func recordTime(b *sarama.RecordBatch, r *sarama.Record) time.Time {
	if b.LogAppendTime {
		return b.MaxTimestamp
	}
	return b.FirstTimestamp.Add(r.TimestampDelta)
}
