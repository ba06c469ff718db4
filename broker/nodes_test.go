package broker_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// groupLoad runs, until ctx ends, a sarama group consumer, a franz-go
// group consumer and a franz-go transactional producer on topic: the
// clients whose group and transaction coordinators a stopped node moves.
type groupLoad struct {
	saramaRead, kgoRead, committed atomic.Int64
	wg                             sync.WaitGroup
}

func startGroupLoad(ctx context.Context, t *testing.T, b *broker.Broker, topic string) *groupLoad {
	t.Helper()
	l := &groupLoad{}
	cg, err := testutil.Factory(b).ConsumerGroup("race-sarama", func(c *sarama.Config) {
		c.Consumer.Offsets.Initial = sarama.OffsetOldest
		c.Consumer.Group.Session.Timeout = 3 * time.Second
		c.Consumer.Group.Heartbeat.Interval = 50 * time.Millisecond
		c.Metadata.Retry.Backoff = 50 * time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	l.wg.Add(5)
	go func() {
		defer l.wg.Done()
		defer cg.Close()
		for ctx.Err() == nil {
			_ = cg.Consume(ctx, []string{topic}, countingHandler{&l.saramaRead})
		}
	}()
	for range 3 { // several members: many heartbeats in the group's goroutine
		go func() {
			defer l.wg.Done()
			l.consumeKgo(ctx, t, b, topic)
		}()
	}
	go func() {
		defer l.wg.Done()
		l.produceTxns(ctx, t, b, topic)
	}()
	return l
}

// consumeKgo reads topic as a franz-go group member until ctx ends.
func (l *groupLoad) consumeKgo(ctx context.Context, t *testing.T, b *broker.Broker, topic string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.ConsumerGroup("race-kgo"),
		kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.SessionTimeout(3*time.Second), kgo.HeartbeatInterval(50*time.Millisecond))
	if err != nil {
		t.Error(err)
		return
	}
	defer cl.Close()
	for ctx.Err() == nil {
		l.kgoRead.Add(int64(len(cl.PollFetches(ctx).Records())))
	}
}

// produceTxns commits one small transaction after another until ctx ends;
// a failed one is aborted (or the client replaced) and the loop goes on.
func (l *groupLoad) produceTxns(ctx context.Context, t *testing.T, b *broker.Broker, topic string) {
	newClient := func() *kgo.Client {
		cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.TransactionalID("race-txn"),
			kgo.DefaultProduceTopic(topic), kgo.TransactionTimeout(time.Second),
			kgo.RequestTimeoutOverhead(2*time.Second), kgo.RecordDeliveryTimeout(10*time.Second))
		if err != nil {
			t.Error(err)
		}
		return cl
	}
	cl := newClient()
	defer func() { cl.Close() }()
	for i := 0; ctx.Err() == nil; i++ {
		err := cl.BeginTransaction()
		if err == nil {
			for j := range 3 {
				cl.Produce(ctx, kgo.StringRecord(fmt.Sprintf("%d-%d", i, j)), nil)
			}
			err = cl.Flush(ctx)
		}
		commit := kgo.TryCommit
		if err != nil {
			commit = kgo.TryAbort
		}
		if end := cl.EndTransaction(ctx, commit); end == nil && err == nil {
			l.committed.Add(1)
		} else if ctx.Err() == nil {
			cl.Close()
			cl = newClient()
		}
	}
}

type countingHandler struct{ n *atomic.Int64 }

func (countingHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (countingHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h countingHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.n.Add(1)
		s.MarkMessage(m, "")
	}
	return nil
}

// TestStopRestartNodesUnderGroupsAndTxns stops and restarts nodes while
// group consumers (sarama, franz-go) and a transactional producer run:
// first in quick succession, then one node (the group coordinator) for as
// long as the clients need to make progress without it. Under -race it
// fails when stopping a node mutates kfake's broker list behind its group
// goroutines (kfake's RemoveNode/AddNode, which kill-node used to call);
// without -race it checks the clients keep working across the stops.
func TestStopRestartNodesUnderGroupsAndTxns(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"race": 3}})
	// The load runs until the test ends (cancel); the deadline only
	// bounds a stuck test. It must outlast the three progress checks
	// (1.5 min in all at most) and the churn.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l := startGroupLoad(ctx, t, b, "race")
	defer l.wg.Wait()
	defer cancel()
	progress := func(what string, within time.Duration) {
		t.Helper()
		c, s, k := l.committed.Load(), l.saramaRead.Load(), l.kgoRead.Load()
		defer func() {
			if t.Failed() {
				t.Logf("%s: transactions committed %d -> %d, sarama group read %d -> %d, franz-go group read %d -> %d",
					what, c, l.committed.Load(), s, l.saramaRead.Load(), k, l.kgoRead.Load())
			}
		}()
		testutil.Eventually(t, within, what, func() bool {
			return l.committed.Load() > c && l.saramaRead.Load() > s && l.kgoRead.Load() > k
		})
	}
	progress("transactions committed and read by both groups before any stop", 30*time.Second)
	// Churn: quick stops and restarts while the groups heartbeat.
	for i := range 30 {
		id := int32(i % 3)
		if err := b.StopNode(id); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // load shaping: the node stays down a moment
		if err := b.RestartNode(id); err != nil {
			t.Fatal(err)
		}
	}
	down := b.Coordinator("race-kgo")
	if err := b.StopNode(down); err != nil {
		t.Fatal(err)
	}
	// The clients find the new coordinators within seconds (about 5 s
	// under -race here). This once took 60-70 s: kfake expired a member
	// whose JoinGroup waited past its session timeout and never answered
	// it, so the franz-go member hung until its request timeout; the
	// broker now keeps such members alive as Kafka does (awaiting.go).
	progress(fmt.Sprintf("progress while node %d (the group's coordinator) is stopped", down), 30*time.Second)
	if err := b.RestartNode(down); err != nil {
		t.Fatal(err)
	}
	progress("progress after every node came back", 30*time.Second)
}

// TestCreateTopicWhileControllerStopped: with the controller node down,
// Metadata names a live controller and topic admin through it works
// (sarama and franz-go), as in Kafka where another node takes over.
func TestCreateTopicWhileControllerStopped(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	controller := func() int32 {
		t.Helper()
		admin, err := testutil.Factory(b).Admin()
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		_, id, err := admin.DescribeCluster()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := controller()
	if err := b.StopNode(first); err != nil {
		t.Fatal(err)
	}
	next := controller()
	if next == first || slices.Contains(b.StoppedNodes(), next) {
		t.Fatalf("controller %d named while node %d is stopped", next, first)
	}
	admin, err := testutil.Factory(b).Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.CreateTopic("made-by-sarama", &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 3}, false); err != nil {
		t.Fatalf("sarama create topic with the controller stopped: %v", err)
	}
	cl := newClient(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	res, err := adm.CreateTopic(ctx, 2, 3, nil, "made-by-kgo")
	if err == nil {
		err = res.Err
	}
	if err != nil {
		t.Fatalf("franz-go create topic with the controller stopped: %v", err)
	}
	if _, err := adm.CreatePartitions(ctx, 1, "made-by-kgo"); err != nil {
		t.Fatalf("franz-go create partitions with the controller stopped: %v", err)
	}
	if _, err := adm.DeleteTopics(ctx, "made-by-sarama"); err != nil {
		t.Fatalf("franz-go delete topic with the controller stopped: %v", err)
	}
	// Every partition of the new topic is led by a live node and can
	// take a write.
	for p := range int32(3) {
		rec := &kgo.Record{Topic: "made-by-kgo", Partition: p, Value: []byte("v")}
		pcl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
		if err != nil {
			t.Fatal(err)
		}
		err = pcl.ProduceSync(ctx, rec).FirstErr()
		pcl.Close()
		if err != nil {
			t.Fatalf("produce to made-by-kgo/%d with node %d stopped: %v", p, first, err)
		}
		if l := b.Leader("made-by-kgo", p); l == first {
			t.Fatalf("made-by-kgo/%d is led by the stopped node %d", p, first)
		}
	}
	if err := b.RestartNode(first); err != nil {
		t.Fatal(err)
	}
	if got := controller(); got != first {
		t.Fatalf("controller after restart = %d, want %d again", got, first)
	}
}

// TestStoppedNodeHiddenFromMetadata: a stopped node leaves the broker
// list of Metadata and DescribeCluster answers and the ISR of every
// partition (listed as an offline replica), and no partition is led by it.
func TestStoppedNodeHiddenFromMetadata(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"h": 6}})
	down := int32(1)
	if err := b.StopNode(down); err != nil {
		t.Fatal(err)
	}
	cl := newClient(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	testutil.Eventually(t, 10*time.Second, "every partition of h led by a live node", func() bool {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr("h")
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		for _, br := range resp.Brokers {
			if br.NodeID == down {
				t.Fatalf("metadata lists the stopped node %d", down)
			}
		}
		for _, p := range resp.Topics[0].Partitions {
			if p.Leader == down || slices.Contains(p.ISR, down) {
				t.Fatalf("partition %d: leader %d, isr %v with node %d stopped", p.Partition, p.Leader, p.ISR, down)
			}
			if p.ErrorCode != 0 {
				return false // leader election in progress
			}
			if !slices.Equal(p.OfflineReplicas, []int32{down}) || len(p.Replicas) != 3 {
				t.Fatalf("partition %d: replicas %v, offline %v", p.Partition, p.Replicas, p.OfflineReplicas)
			}
		}
		return true
	})
	dc, err := kmsg.NewPtrDescribeClusterRequest().RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, br := range dc.Brokers {
		if br.NodeID == down {
			t.Fatalf("DescribeCluster lists the stopped node %d", down)
		}
	}
	if len(dc.Brokers) != 2 {
		t.Fatalf("DescribeCluster lists %d brokers, want 2", len(dc.Brokers))
	}
}
