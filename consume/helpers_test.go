package consume

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
)

// runTimeout bounds every Run in these tests: a Run that should end but
// hangs fails instead of stalling the suite.
const runTimeout = 30 * time.Second

// startBroker starts a one-node broker with the given topics.
func startBroker(t testing.TB, topics map[string]int32) (*broker.Broker, conn.Factory) {
	t.Helper()
	return testutil.Cluster(t, &broker.Options{Nodes: 1, SeedTopics: topics})
}

// produceN writes n records "v0".."v<n-1>" to each listed partition.
func produceN(t *testing.T, f conn.Factory, topic string, n int, partitions ...int32) {
	t.Helper()
	var msgs []*sarama.ProducerMessage
	for _, p := range partitions {
		msgs = append(msgs, testutil.Values(topic, p, n)...)
	}
	testutil.ProduceBatch(t, f, msgs...)
}

// collect is a sink that keeps copies of what it is given.
type collect struct {
	mu      sync.Mutex
	msgs    []*sarama.ConsumerMessage
	flushed int
}

func (c *collect) Write(m *sarama.ConsumerMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The message is only valid during Write: keep a copy.
	cp := *m
	cp.Key, cp.Value = slices.Clone(m.Key), slices.Clone(m.Value)
	cp.Headers = nil
	for _, h := range m.Headers {
		cp.Headers = append(cp.Headers, &sarama.RecordHeader{Key: slices.Clone(h.Key), Value: slices.Clone(h.Value)})
	}
	c.msgs = append(c.msgs, &cp)
	return nil
}

func (c *collect) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushed = len(c.msgs)
	return nil
}

func (c *collect) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// values lists "partition:offset:value" of what was written.
func (c *collect) values() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = fmt.Sprintf("%d:%d:%s", m.Partition, m.Offset, m.Value)
	}
	return out
}

// run runs a consumption bounded by runTimeout.
func run(t *testing.T, f conn.Factory, opts Options) (Stats, *collect, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	sink := &collect{}
	stats, err := Run(ctx, f, opts, sink)
	if ctx.Err() != nil {
		t.Fatalf("Run did not end within %v (stats %+v, %d records)", runTimeout, stats, sink.len())
	}
	if sink.flushed != sink.len() {
		t.Errorf("Run returned with %d of %d records unflushed", sink.len()-sink.flushed, sink.len())
	}
	return stats, sink, err
}

// byPartition groups "partition:offset:value" strings per partition.
func byPartition(c *collect) map[int32][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int32][]string{}
	for _, m := range c.msgs {
		out[m.Partition] = append(out[m.Partition], fmt.Sprintf("%d:%s", m.Offset, m.Value))
	}
	return out
}
