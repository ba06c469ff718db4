package groups

import (
	"context"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
)

// defaultTimeLagWait bounds the reads time lag is computed from.
const defaultTimeLagWait = 5 * time.Second

// timeLagReaders bounds the partitions read at once for time lag.
const timeLagReaders = 8

// fillTimeLags sets TimeLagMs of each partition: 0 without lag, else the
// age of the first record a read_committed consumer would get at the
// group's position (transaction markers and aborted records are skipped).
// Partitions whose record cannot be read before the wait ends keep an
// unknown time lag.
func (c *Client) fillTimeLags(ctx context.Context, ps []PartitionLag, opts DescribeOptions) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	wait := opts.TimeLagWait
	if wait <= 0 {
		wait = defaultTimeLagWait
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	sem := make(chan struct{}, timeLagReaders)
	var wg sync.WaitGroup
	for i := range ps {
		if ps[i].Lag == 0 {
			zero := int64(0)
			ps[i].TimeLagMs = &zero
			continue
		}
		if !ps[i].Lag.Known() {
			continue
		}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return
			}
			if ts, ok := c.nextRecordTime(ctx, ps[i]); ok {
				age := max(0, now.Sub(ts).Milliseconds())
				ps[i].TimeLagMs = &age
			}
		})
	}
	wg.Wait()
}

// nextRecordTime returns the timestamp of the first committed record at
// the partition's position, below its last stable offset.
func (c *Client) nextRecordTime(ctx context.Context, p PartitionLag) (time.Time, bool) {
	if ctx.Err() != nil {
		return time.Time{}, false
	}
	pos := int64(p.Position(p.Committed))
	r, err := fetch.Find(c.client, p.Topic, p.Partition, pos, int64(p.LastStable), sarama.ReadCommitted,
		func(*fetch.Record) bool { return true })
	if err != nil {
		return time.Time{}, false
	}
	return r.Timestamp, true
}
