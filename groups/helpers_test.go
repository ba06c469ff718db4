package groups

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
)

// setup starts a one-node broker with the topics and opens a Client.
func setup(t *testing.T, topics map[string]int32) (*Client, conn.Factory, *broker.Broker) {
	t.Helper()
	b, f := testutil.Cluster(t, &broker.Options{Nodes: 1, SeedTopics: topics})
	c, err := Open(f)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, f, b
}

// produce writes n records "v0".."v<n-1>" to one partition, the i-th
// stamped ts(i) (nil: now), and returns the offset of the first.
func produce(t *testing.T, f conn.Factory, topic string, partition int32, n int, ts func(i int) time.Time) int64 {
	t.Helper()
	msgs := testutil.Values(topic, partition, n)
	for i, m := range msgs {
		if ts != nil {
			m.Timestamp = ts(i)
		}
	}
	if n == 0 {
		return -1
	}
	return testutil.Produce(t, f, msgs...)[0]
}

// txnProducer is a transactional producer writing to one partition.
type txnProducer struct {
	t *testing.T
	p sarama.AsyncProducer
}

func newTxnProducer(t *testing.T, f conn.Factory, id string) *txnProducer {
	t.Helper()
	p, err := f.AsyncProducer(func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Producer.Transaction.ID = id
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Partitioner = sarama.NewManualPartitioner
		c.Producer.Return.Successes = true
		c.Net.MaxOpenRequests = 1
	})
	if err != nil {
		t.Fatalf("transactional producer: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return &txnProducer{t: t, p: p}
}

// txn writes n records in one transaction and commits or aborts it; with
// open set it leaves the transaction open.
func (tp *txnProducer) txn(topic string, partition int32, n int, commit, open bool) {
	tp.t.Helper()
	if err := tp.p.BeginTxn(); err != nil {
		tp.t.Fatalf("begin: %v", err)
	}
	for i := range n {
		tp.p.Input() <- &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.StringEncoder("x" + strconv.Itoa(i))}
		select {
		case <-tp.p.Successes():
		case err := <-tp.p.Errors():
			tp.t.Fatalf("transactional produce: %v", err)
		case <-time.After(10 * time.Second):
			tp.t.Fatal("transactional produce timed out")
		}
	}
	switch {
	case open:
	case commit:
		if err := tp.p.CommitTxn(); err != nil {
			tp.t.Fatalf("commit: %v", err)
		}
	default:
		if err := tp.p.AbortTxn(); err != nil {
			tp.t.Fatalf("abort: %v", err)
		}
	}
}

// seedCommits commits offsets for a group without members.
func seedCommits(t *testing.T, f conn.Factory, group string, commits map[offsets.TopicPartition]int64) {
	t.Helper()
	a, err := f.Admin()
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	defer a.Close()
	req := map[string]map[int32]sarama.OffsetAndMetadata{}
	for tp, o := range commits {
		if req[tp.Topic] == nil {
			req[tp.Topic] = map[int32]sarama.OffsetAndMetadata{}
		}
		req[tp.Topic][tp.Partition] = sarama.OffsetAndMetadata{Offset: o, Metadata: "meta-" + tp.Topic, LeaderEpoch: -1}
	}
	resp, err := a.AlterConsumerGroupOffsets(group, req, nil)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	for _, ps := range resp.Errors {
		for _, e := range ps {
			if offsets.IsKError(e) {
				t.Fatalf("commit: %v", e)
			}
		}
	}
}

// committedOffsets reads a group's commits back through OffsetFetch.
func committedOffsets(t *testing.T, c *Client, group string) map[offsets.TopicPartition]offsets.Offset {
	t.Helper()
	cs, _, err := c.committed(group)
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	return commitOffsets(cs)
}

// joinGroup runs a live sarama consumer-group member on topics until the
// test ends, and waits until the group is Stable.
func joinGroup(t *testing.T, f conn.Factory, c *Client, group string, topics ...string) (leave func()) {
	t.Helper()
	cg, err := f.ConsumerGroup(group, func(cfg *sarama.Config) {
		cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
		cfg.Consumer.Group.Rebalance.Timeout = 5 * time.Second
		cfg.Consumer.Group.Session.Timeout = 10 * time.Second
		cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	})
	if err != nil {
		t.Fatalf("consumer group: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, topics, idleHandler{}); err != nil && !errors.Is(err, sarama.ErrClosedConsumerGroup) {
				time.Sleep(50 * time.Millisecond)
			}
		}
	})
	var once sync.Once
	leave = func() {
		once.Do(func() {
			cancel()
			cg.Close()
			wg.Wait()
		})
	}
	t.Cleanup(leave)
	testutil.Eventually(t, 20*time.Second, "group "+group+" to become stable", func() bool {
		raw, err := c.describeRaw([]string{group})
		return err == nil && raw[group].State == StateStable
	})
	return leave
}

// idleHandler claims partitions and reads nothing, so no offsets are
// committed.
type idleHandler struct{}

func (idleHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (idleHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (idleHandler) ConsumeClaim(s sarama.ConsumerGroupSession, _ sarama.ConsumerGroupClaim) error {
	<-s.Context().Done()
	return nil
}
