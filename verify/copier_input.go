package verify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify/history"
)

// copyInput is a copier's view of its input partitions: one reader each
// (package internal/fetch, read_committed), fanned into one channel,
// started at the offsets the copier group committed.
type copyInput struct {
	life   *life
	client sarama.Client
	topic  string
	msgs   chan *sarama.ConsumerMessage
	stop   chan struct{}
	wg     sync.WaitGroup // every reader ever started
}

// openInput connects a fresh input consumer client for the copier and
// starts reading at the committed offsets.
func (c *copier) openInput(ctx context.Context) (*copyInput, error) {
	l := c.r.newLife()
	client, err := retryOpen(ctx, c.r, func() (sarama.Client, error) {
		return l.ks.factory(c.r.f).Client(c.r.readerConfig(l, setting.ReadCommitted))
	})
	if err != nil {
		return nil, err
	}
	in := &copyInput{life: l, client: client, topic: c.r.ids.input}
	c.recordInput(history.TypeAssign)
	if err := c.startPartitions(ctx, in); err != nil {
		c.recordInput(history.TypeRevoke)
		in.close()
		return nil, err
	}
	return in, nil
}

// recordInput records that the copier's input partitions are assigned to
// it (a fresh input consumer) or revoked (the input consumer is replaced
// or closed).
func (c *copier) recordInput(t history.EventType) {
	c.r.record(history.Event{Type: t, Consumer: c.name(), Topic: c.r.ids.input, Partitions: c.parts})
}

// startPartitions starts the partition readers at the committed offsets,
// retrying while the offsets are unstable or the cluster is in trouble,
// and records a seek to each start: after an abort, the copier's position
// moves back to them.
func (c *copier) startPartitions(ctx context.Context, in *copyInput) error {
	offsets, err := retryOpen(ctx, c.r, func() (map[int32]int64, error) {
		if in.life.isDead() {
			return nil, errCrashed
		}
		return fetchCommitted(in.client, c.r.ids.copyGroup, c.r.ids.input, c.parts)
	})
	if err != nil {
		return err
	}
	readers := make(map[int32]*fetch.Reader, len(c.parts))
	for _, p := range c.parts {
		off, err := retryOpen(ctx, c.r, func() (int64, error) { return in.startOffset(p, offsets[p]) })
		if err != nil {
			return err
		}
		c.r.record(history.Event{Type: history.TypeSeek, Consumer: c.name(), Topic: in.topic, Partition: p, Offset: off})
		readers[p] = fetch.NewReader(in.client, fetch.ReaderConfig{Topic: in.topic, Partition: p, Offset: off,
			Isolation: sarama.ReadCommitted, MaxWait: in.client.Config().Consumer.MaxWaitTime})
	}
	in.msgs, in.stop = make(chan *sarama.ConsumerMessage, maxBatch), make(chan struct{})
	for p, rd := range readers {
		in.wg.Add(1)
		go in.read(p, rd, in.msgs, in.stop)
	}
	return nil
}

// startOffset resolves a committed offset: sarama.OffsetOldest (nothing
// committed) becomes the partition's log start.
func (in *copyInput) startOffset(p int32, committed int64) (int64, error) {
	if committed != sarama.OffsetOldest {
		return committed, nil
	}
	if in.life.isDead() {
		return 0, errCrashed
	}
	return offsets.Leader(in.client, offsets.TopicPartition{Topic: in.topic, Partition: p}, sarama.OffsetOldest)
}

// read fetches one partition into msgs until stop is closed; fetch
// errors are retried after a pause (a dead input's dials are refused until
// the copier replaces it).
func (in *copyInput) read(p int32, rd *fetch.Reader, msgs chan<- *sarama.ConsumerMessage, stop <-chan struct{}) {
	defer in.wg.Done()
	defer rd.Close()
	var batch []*sarama.ConsumerMessage
	for {
		select {
		case <-stop:
			return
		default:
		}
		batch = batch[:0]
		err := rd.Next(func(rec *fetch.Record) {
			batch = append(batch, &sarama.ConsumerMessage{Topic: in.topic, Partition: p, Offset: rec.Offset,
				Key: rec.Key, Value: rec.Value, Headers: rec.Headers, Timestamp: rec.Timestamp, BlockTimestamp: rec.BlockTimestamp})
		})
		if err != nil {
			if !sleepStop(stop, retryBackoff) {
				return
			}
			continue
		}
		for _, m := range batch {
			select {
			case msgs <- m:
			case <-stop:
				return
			}
		}
	}
}

// sleepStop waits for d; false when stop closed first.
func sleepStop(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-stop:
		return false
	case <-t.C:
		return true
	}
}

// rewind starts reading again at the committed offsets, as after an
// abort, with a fresh channel: records the former readers fetched are
// dropped with their channel, and those readers stop after their fetch in
// flight without being waited for.
func (c *copier) rewind(ctx context.Context, in *copyInput) error {
	in.stopPartitions()
	return c.startPartitions(ctx, in)
}

func (in *copyInput) stopPartitions() {
	if in.stop != nil {
		close(in.stop)
	}
	in.stop = nil
}

// close stops reading, waits for every reader and closes the client.
func (in *copyInput) close() {
	in.stopPartitions()
	in.wg.Wait()
	in.client.Close()
}

// errUnstable is returned while a transaction's offsets are being
// committed or aborted.
var errUnstable = errors.New("committed offsets are unstable")

// fetchCommitted returns the committed offset of each partition (the
// oldest offset when none was committed). It asks for stable offsets
// (KIP-447), so offsets of a transaction still being completed are never
// read as if it had not committed.
func fetchCommitted(client sarama.Client, group, topic string, parts []int32) (map[int32]int64, error) {
	coord, err := client.Coordinator(group)
	if err != nil {
		return nil, fmt.Errorf("find coordinator: %w", err)
	}
	req := sarama.NewOffsetFetchRequest(client.Config().Version, group, map[string][]int32{topic: parts})
	req.RequireStable = req.Version >= 7
	resp, err := coord.FetchOffset(req)
	if err != nil {
		_ = client.RefreshCoordinator(group)
		return nil, fmt.Errorf("fetch offsets: %w", err)
	}
	out := make(map[int32]int64, len(parts))
	switch resp.Err {
	case sarama.ErrNoError:
	case sarama.ErrGroupIDNotFound: // nothing committed yet (kfake says so)
		for _, p := range parts {
			out[p] = sarama.OffsetOldest
		}
		return out, nil
	default:
		_ = client.RefreshCoordinator(group)
		return nil, fmt.Errorf("fetch offsets: %w", resp.Err)
	}
	for _, p := range parts {
		b := resp.GetBlock(topic, p)
		switch {
		case b == nil:
			return nil, fmt.Errorf("fetch offsets: no answer for %s/%d", topic, p)
		case b.Err == sarama.ErrUnstableOffsetCommit:
			return nil, errUnstable
		case b.Err != sarama.ErrNoError:
			return nil, fmt.Errorf("fetch offsets of %s/%d: %w", topic, p, b.Err)
		case b.Offset < 0:
			out[p] = sarama.OffsetOldest
		default:
			out[p] = b.Offset
		}
	}
	return out, nil
}
