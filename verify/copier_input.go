package verify

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
)

// copyInput is a copier's view of its input partitions: one partition
// consumer each, fanned into one channel, started at the offsets the
// copier group committed.
type copyInput struct {
	life   *life
	client sarama.Client
	cons   sarama.Consumer
	pcs    []sarama.PartitionConsumer
	msgs   chan *sarama.ConsumerMessage
	stop   chan struct{}
	wg     sync.WaitGroup
}

// openInput connects a fresh input consumer client for the copier and
// starts reading at the committed offsets.
func (c *copier) openInput(ctx context.Context) (*copyInput, error) {
	l := c.r.newLife()
	client, err := retryOpen(ctx, c.r, func() (sarama.Client, error) {
		return l.ks.factory(c.r.f).Client(c.r.readerConfig(l, ReadCommitted))
	})
	if err != nil {
		return nil, err
	}
	cons, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		client.Close()
		return nil, err
	}
	in := &copyInput{life: l, client: client, cons: cons}
	if err := c.startPartitions(ctx, in); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// startPartitions starts the partition consumers at the committed offsets,
// retrying while the offsets are unstable or the cluster is in trouble.
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
	in.msgs, in.stop = make(chan *sarama.ConsumerMessage, maxBatch), make(chan struct{})
	for _, p := range c.parts {
		pc, err := retryOpen(ctx, c.r, func() (sarama.PartitionConsumer, error) {
			return in.cons.ConsumePartition(c.r.ids.input, p, offsets[p])
		})
		if err != nil {
			return err
		}
		in.pcs = append(in.pcs, pc)
		in.wg.Add(1)
		go in.fanIn(pc)
	}
	return nil
}

func (in *copyInput) fanIn(pc sarama.PartitionConsumer) {
	defer in.wg.Done()
	for m := range pc.Messages() {
		select {
		case in.msgs <- m:
		case <-in.stop:
			return
		}
	}
}

// rewind stops reading and starts again at the committed offsets, as
// after an abort: a seek alone would leave records already fetched in the
// channels.
func (c *copier) rewind(ctx context.Context, in *copyInput) error {
	in.stopPartitions()
	return c.startPartitions(ctx, in)
}

func (in *copyInput) stopPartitions() {
	if in.stop != nil {
		close(in.stop)
	}
	for _, pc := range in.pcs {
		pc.Close()
	}
	in.wg.Wait()
	in.pcs, in.stop = nil, nil
}

// close stops reading and closes the client.
func (in *copyInput) close() {
	in.stopPartitions()
	in.cons.Close()
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
