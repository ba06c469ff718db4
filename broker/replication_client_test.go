package broker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// replBroker starts 3 nodes with the replication model and a topic of one
// partition (replication factor 3) with the given min.insync.replicas.
func replBroker(t *testing.T, lag time.Duration, minISR string) *broker.Broker {
	t.Helper()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, ReplicaLag: lag})
	admin, err := testutil.Factory(b).Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	err = admin.CreateTopic("r", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 3,
		ConfigEntries: map[string]*string{"min.insync.replicas": &minISR}}, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func saramaSend(t *testing.T, b *broker.Broker, acks sarama.RequiredAcks, value string) (int64, error) {
	t.Helper()
	p, err := testutil.Factory(b).SyncProducer(func(c *sarama.Config) {
		c.Producer.RequiredAcks = acks
		c.Producer.Retry.Max = 0
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: "r", Partition: 0, Value: sarama.StringEncoder(value)})
	return off, err
}

// newest returns the offset sarama's client lists as the partition's end.
func newest(t *testing.T, b *broker.Broker) int64 {
	t.Helper()
	c, err := testutil.Factory(b).Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	off, err := c.GetOffset("r", 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// kgoReadAll reads partition r/0 from the start with franz-go until n values
// came or the timeout passes.
func kgoReadAll(t *testing.T, b *broker.Broker, n int) []string {
	t.Helper()
	cl := testutil.KGo(t, b, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"r": {0: kgo.NewOffset().AtStart()}}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	for len(got) < n && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	return got
}

// saramaReadAll reads n values of partition r/0 from the start with
// sarama.
func saramaReadAll(t *testing.T, b *broker.Broker, n int) []string {
	t.Helper()
	return testutil.ReadValues(t, testutil.Factory(b), "r", 0, n)
}

func otherNode(b *broker.Broker) int32 { return (b.Leader("r", 0) + 1) % 3 }

// TestReplicaLagCapsConsumers: an acks=1 write is answered by the leader
// at once, but consumers (ListOffsets, Fetch) see it only once the
// followers have it.
// The cap is checked under a lag far longer than the test, so a slow
// machine cannot let the followers catch up before the check; the
// catching up under a short one.
func TestReplicaLagCapsConsumers(t *testing.T) {
	held := replBroker(t, time.Hour, "1")
	if _, err := saramaSend(t, held, sarama.WaitForLocal, "v"); err != nil {
		t.Fatal(err)
	}
	if got := newest(t, held); got != 0 {
		t.Fatalf("newest offset after an acks=1 write = %d, want 0 (the high watermark trails)", got)
	}
	_, leo, _, _ := held.PartitionOffsets("r", 0)
	if leo != 1 {
		t.Fatalf("leader's log end = %d, want 1", leo)
	}
	b := replBroker(t, 200*time.Millisecond, "1")
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "v"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "the write to be replicated", func() bool { return newest(t, b) == 1 })
	if got := kgoReadAll(t, b, 1); len(got) != 1 || got[0] != "v" {
		t.Fatalf("franz-go read %v", got)
	}
}

// TestAcksOneLostOnFailover: a leader change before the followers fetched
// an acks=1 write loses it for good; offsets then have a gap.
func TestAcksOneLostOnFailover(t *testing.T) {
	b := replBroker(t, 3*time.Second, "1")
	off, err := saramaSend(t, b, sarama.WaitForLocal, "lost")
	if err != nil || off != 0 {
		t.Fatalf("acks=1 write: offset %d, %v", off, err)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	off, err = saramaSend(t, b, sarama.WaitForAll, "kept")
	if err != nil || off != 1 {
		t.Fatalf("acks=all write after the failover: offset %d, %v", off, err)
	}
	if got := kgoReadAll(t, b, 1); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("franz-go read %v, want only the write after the failover", got)
	}
	if got := saramaReadAll(t, b, 1); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("sarama read %v, want only the write after the failover", got)
	}
}

// TestAcksAllSurvivesFailover: acks=all is answered only once the ISR has
// the write, so a leader change right after the answer loses nothing.
func TestAcksAllSurvivesFailover(t *testing.T) {
	b := replBroker(t, 200*time.Millisecond, "1")
	if _, err := saramaSend(t, b, sarama.WaitForAll, "safe"); err != nil {
		t.Fatal(err)
	}
	cl := testutil.KGo(t, b, kgo.RequiredAcks(kgo.AllISRAcks()))
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "r", Partition: 0, Value: []byte("safe too")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	if got := saramaReadAll(t, b, 2); len(got) != 2 {
		t.Fatalf("sarama read %v after the failover, want both acks=all writes", got)
	}
}

// TestMinInsyncRefusesWhenISRShrinks: with the ISR shrunk to the leader,
// min.insync.replicas=2 refuses acks=all writes with NOT_ENOUGH_REPLICAS
// (acks=1 still works); they work again when the followers are back.
func TestMinInsyncRefusesWhenISRShrinks(t *testing.T) {
	b := replBroker(t, 50*time.Millisecond, "2")
	restore, err := b.ShrinkISR()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saramaSend(t, b, sarama.WaitForAll, "refused"); !errors.Is(err, sarama.ErrNotEnoughReplicas) {
		t.Fatalf("sarama acks=all with the ISR shrunk: %v, want NOT_ENOUGH_REPLICAS", err)
	}
	cl := testutil.KGo(t, b, kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordRetries(1), kgo.RecordDeliveryTimeout(5*time.Second), kgo.MetadataMinAge(50*time.Millisecond))
	err = cl.ProduceSync(context.Background(), &kgo.Record{Topic: "r", Partition: 0, Value: []byte("refused")}).FirstErr()
	if !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Fatalf("franz-go acks=all with the ISR shrunk: %v, want NOT_ENOUGH_REPLICAS", err)
	}
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "acks=1"); err != nil {
		t.Fatalf("acks=1 with the ISR shrunk: %v", err)
	}
	restore()
	if _, err := saramaSend(t, b, sarama.WaitForAll, "back"); err != nil {
		t.Fatalf("acks=all after the ISR came back: %v", err)
	}
}

// TestShrinkWhileAcksAllWaits: an acks=all write waiting for its
// followers when the ISR shrinks below min.insync.replicas=2 is answered
// NOT_ENOUGH_REPLICAS_AFTER_APPEND (it is on the leader, so in doubt), as
// Kafka does, never acknowledged by the leader alone.
func TestShrinkWhileAcksAllWaits(t *testing.T) {
	b := replBroker(t, 3*time.Second, "2")
	done := make(chan error, 1)
	go func() {
		_, err := saramaSend(t, b, sarama.WaitForAll, "waiting")
		done <- err
	}()
	testutil.Eventually(t, 10*time.Second, "the write appended by the leader", func() bool {
		_, high, _, err := b.PartitionOffsets("r", 0)
		return err == nil && high == 1
	})
	restore, err := b.ShrinkISR()
	if err != nil {
		t.Fatal(err)
	}
	defer restore()
	if err := <-done; !errors.Is(err, sarama.ErrNotEnoughReplicasAfterAppend) {
		t.Fatalf("acks=all waiting while the ISR shrank: %v, want NOT_ENOUGH_REPLICAS_AFTER_APPEND", err)
	}
}

// TestShrunkISRLosesAcksAllOnFailover: with min.insync.replicas=1 an
// acks=all write is acknowledged by the leader alone while the ISR is
// shrunk, and lost when the leader changes.
func TestShrunkISRLosesAcksAllOnFailover(t *testing.T) {
	b := replBroker(t, 50*time.Millisecond, "1")
	if _, err := saramaSend(t, b, sarama.WaitForAll, "before"); err != nil {
		t.Fatal(err)
	}
	restore, err := b.ShrinkISR()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saramaSend(t, b, sarama.WaitForAll, "acked, then lost"); err != nil {
		t.Fatal(err)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	restore()
	if _, err := saramaSend(t, b, sarama.WaitForAll, "after"); err != nil {
		t.Fatal(err)
	}
	got := saramaReadAll(t, b, 2)
	if len(got) != 2 || got[0] != "before" || got[1] != "after" {
		t.Fatalf("read %v, want [before after]: the write acked by the shrunk ISR is lost", got)
	}
}

// TestKillNodeLosesAcksOneTail: stopping the leader node (kill-node) loses
// an acks=1 write the followers had not fetched.
func TestKillNodeLosesAcksOneTail(t *testing.T) {
	b := replBroker(t, 3*time.Second, "1")
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "lost"); err != nil {
		t.Fatal(err)
	}
	if err := b.StopNode(b.Leader("r", 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "kept"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "the write after the failover to be replicated", func() bool { return newest(t, b) == 2 })
	if got := kgoReadAll(t, b, 1); len(got) != 1 || got[0] != "kept" {
		t.Fatalf("read %v, want only the write after the leader died", got)
	}
	cuts := b.TailCuts()
	if len(cuts) != 1 || cuts[0].Topic != "r" || cuts[0].Partition != 0 || cuts[0].Records != 1 || cuts[0].Shrunk {
		t.Fatalf("tail cuts %+v, want one of 1 record in r/0, not shrunk", cuts)
	}
}

// TestFailoverWithoutTailCutsNothing: a leader change with everything
// replicated loses nothing and reports no tail cut; one while the ISR is
// the leader alone reports its tail as cut while shrunk.
func TestFailoverWithoutTailCutsNothing(t *testing.T) {
	b := replBroker(t, 20*time.Millisecond, "1")
	if _, err := saramaSend(t, b, sarama.WaitForAll, "replicated"); err != nil {
		t.Fatal(err)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	if cuts := b.TailCuts(); len(cuts) != 0 {
		t.Fatalf("tail cuts %+v after a failover with nothing unreplicated", cuts)
	}
	restore, err := b.ShrinkISR()
	if err != nil {
		t.Fatal(err)
	}
	defer restore()
	if _, err := saramaSend(t, b, sarama.WaitForAll, "leader alone"); err != nil {
		t.Fatal(err)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	if cuts := b.TailCuts(); len(cuts) != 1 || !cuts[0].Shrunk || cuts[0].Records != 1 {
		t.Fatalf("tail cuts %+v, want one of 1 record cut while shrunk", cuts)
	}
}

// TestMetadataShowsShrunkISR: Metadata answers list the ISR the model
// has: the leader alone while the followers are out (isr-shrink), the live
// replicas with a stopped node listed as an offline replica, and every
// replica again once they are back (sarama and franz-go).
func TestMetadataShowsShrunkISR(t *testing.T) {
	b := replBroker(t, 20*time.Millisecond, "1")
	saramaISR := func() (replicas, isr, offline []int32) {
		t.Helper()
		c, err := testutil.Factory(b).Client()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if replicas, err = c.Replicas("r", 0); err != nil {
			t.Fatal(err)
		}
		if isr, err = c.InSyncReplicas("r", 0); err != nil {
			t.Fatal(err)
		}
		if offline, err = c.OfflineReplicas("r", 0); err != nil {
			t.Fatal(err)
		}
		return replicas, isr, offline
	}
	kgoISR := func() []int32 {
		t.Helper()
		cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr("r")
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(context.Background(), cl)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Topics[0].Partitions[0].ISR
	}
	if reps, isr, _ := saramaISR(); len(reps) != 3 || len(isr) != 3 {
		t.Fatalf("before: replicas %v, isr %v", reps, isr)
	}
	restore, err := b.ShrinkISR()
	if err != nil {
		t.Fatal(err)
	}
	leader := b.Leader("r", 0)
	if reps, isr, _ := saramaISR(); len(reps) != 3 || len(isr) != 1 || isr[0] != leader {
		t.Fatalf("shrunk, sarama: replicas %v, isr %v, want the leader %d alone", reps, isr, leader)
	}
	if isr := kgoISR(); len(isr) != 1 || isr[0] != leader {
		t.Fatalf("shrunk, franz-go: isr %v, want the leader %d alone", isr, leader)
	}
	restore()
	if isr := kgoISR(); len(isr) != 3 {
		t.Fatalf("restored: isr %v", isr)
	}
	down := otherNode(b)
	if err := b.StopNode(down); err != nil {
		t.Fatal(err)
	}
	reps, isr, offline := saramaISR()
	if len(reps) != 3 || len(isr) != 2 || slices.Contains(isr, down) || !slices.Equal(offline, []int32{down}) {
		t.Fatalf("node %d stopped: replicas %v, isr %v, offline %v", down, reps, isr, offline)
	}
}

// TestAcksAllConcurrentWritersAllAcked: several producers writing one
// partition with acks=all, each on its own connection, get every write
// acknowledged. A write whose answer was handled before that of an
// earlier write of another connection used to be answered
// NOT_LEADER_OR_FOLLOWER (yet kept in the log, so a retry duplicated it)
// when the earlier write reached the followers later.
func TestAcksAllConcurrentWritersAllAcked(t *testing.T) {
	t.Parallel()
	b := replBroker(t, 20*time.Millisecond, "1")
	const writers, each = 16, 400
	// A reader fetching meanwhile, as consumers do, makes the broker
	// learn of appended batches from its Fetch answers too.
	rctx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	rd := testutil.KGo(t, b, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"r": {0: kgo.NewOffset().AtStart()}}))
	go func() {
		for rctx.Err() == nil {
			rd.PollFetches(rctx)
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		cl := testutil.KGo(t, b, kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.AllISRAcks()),
			kgo.RecordRetries(0), kgo.ProducerLinger(0), kgo.RecordDeliveryTimeout(10*time.Second))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sent sync.WaitGroup
			for i := range each {
				sent.Add(1)
				r := &kgo.Record{Topic: "r", Partition: 0, Value: fmt.Appendf(nil, "%d-%d", w, i)}
				cl.Produce(context.Background(), r, func(_ *kgo.Record, err error) {
					defer sent.Done()
					if err != nil {
						errs <- err
					}
				})
			}
			sent.Wait()
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 3 {
			t.Errorf("write failed: %v", err)
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d acks=all writes failed without a fault", n, writers*each)
	}
	if got := newest(t, b); got != writers*each {
		t.Errorf("log end %d, want %d", got, writers*each)
	}
}

// fetchAt sends one sessionless Fetch of r/0 from offset to the leader, as
// sarama's consumer does, and returns how many records the answer holds.
func fetchAt(t *testing.T, b *broker.Broker, offset int64, maxWait time.Duration) int {
	t.Helper()
	c, err := testutil.Factory(b).Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	leader, err := c.Leader("r", 0)
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.FetchRequest{Version: 11, MaxWaitTime: int32(maxWait / time.Millisecond), MinBytes: 1, MaxBytes: 1 << 20, SessionEpoch: -1}
	req.AddBlock("r", 0, offset, 1<<20, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	block := resp.GetBlock("r", 0)
	if block == nil || block.Err != sarama.ErrNoError {
		t.Fatalf("fetch answer for r/0: %+v", block)
	}
	n := 0
	for _, rs := range block.RecordsSet {
		if rs.RecordBatch != nil {
			n += len(rs.RecordBatch.Records)
		}
	}
	return n
}

// TestFetchAtHighWatermarkWaitsForFollowers: a Fetch from the high
// watermark, with a record past it the followers do not have yet, waits
// for them (up to its MaxWait) and answers with the record, as Kafka's
// fetch waits for the high watermark to move; kfake alone answers at once
// with nothing the client may see, and the client asks again at once.
func TestFetchAtHighWatermarkWaitsForFollowers(t *testing.T) {
	b := replBroker(t, time.Second, "1")
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "v"); err != nil {
		t.Fatal(err)
	}
	if n := fetchAt(t, b, 0, 5*time.Second); n != 1 {
		t.Fatalf("a fetch at the high watermark answered with %d records, want the one the followers got meanwhile", n)
	}
	held := replBroker(t, time.Hour, "1")
	if _, err := saramaSend(t, held, sarama.WaitForLocal, "v"); err != nil {
		t.Fatal(err)
	}
	if n := fetchAt(t, held, 0, 100*time.Millisecond); n != 0 {
		t.Fatalf("a fetch whose MaxWait ends before the followers have the record answered with %d records", n)
	}
}

// TestSessionFetchAtHighWatermarkWaits: franz-go's consumer, in an
// incremental fetch session, tails a partition. An acks=1 write wakes its
// waiting Fetch with a record the followers do not have yet, so the answer
// holds nothing; the client's next request lists no partition (none
// changed) and must wait for the followers as a full request does, not be
// answered at once over and over until they catch up.
func TestSessionFetchAtHighWatermarkWaits(t *testing.T) {
	b := replBroker(t, time.Second, "1")
	fetches := b.CountFetches()
	cl := testutil.KGo(t, b, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"r": {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchMaxWait(5*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	got := make(chan string, 1)
	go func() {
		for ctx.Err() == nil {
			cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got <- string(r.Value) })
		}
	}()
	testutil.Eventually(t, 10*time.Second, "the consumer's first fetch", func() bool { return fetches.Load() > 0 })
	before := fetches.Load()
	if _, err := saramaSend(t, b, sarama.WaitForLocal, "v"); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-got:
		if v != "v" {
			t.Fatalf("read %q", v)
		}
	case <-ctx.Done():
		t.Fatal("the record never came")
	}
	n := fetches.Load() - before
	if n > 20 {
		t.Fatalf("%d fetches while the followers caught up with one record, want a few", n)
	}
	t.Logf("%d fetches while the followers caught up", n)
}

// TestIdempotentAcksAllSurvivesFailover: an idempotent producer's acks=all
// batch that the followers did not have yet when the leader changed is
// not lost to its producer. Kafka truncates it with the old leader's log
// and its producer state together, and the producer's retry is appended
// again. kfake keeps the producer state, so a retry only ever met the
// batch's own hidden offset: cutting the batch left the producer retrying
// until it gave up (out of order sequence numbers, BENCHMARKS.md session
// 9). Such a batch survives the failover instead, exactly once.
func TestIdempotentAcksAllSurvivesFailover(t *testing.T) {
	b := replBroker(t, 2*time.Second, "1")
	cl := testutil.KGo(t, b, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0), kgo.RecordDeliveryTimeout(8*time.Second))
	done := make(chan error, 1)
	cl.Produce(context.Background(), &kgo.Record{Topic: "r", Partition: 0, Value: []byte("a")}, func(_ *kgo.Record, err error) { done <- err })
	deadline := time.Now().Add(10 * time.Second)
	for b.PendingBatches("r", 0) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the batch never reached the leader")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := b.MoveLeader("r", 0, otherNode(b)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the idempotent acks=all write pending at the failover failed: %v", err)
	}
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "r", Partition: 0, Value: []byte("b")}).FirstErr(); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if got := kgoReadAll(t, b, 2); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("read %q, want each write once, in order", got)
	}
}
