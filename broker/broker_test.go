package broker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

func produceOne(t *testing.T, b *broker.Broker, topic, value string) (int32, int64, error) {
	t.Helper()
	p, err := testutil.Factory(b).SyncProducer(func(c *sarama.Config) {
		c.Producer.Retry.Max = 0
		c.Metadata.AllowAutoTopicCreation = true
	})
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer p.Close()
	return p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(value)})
}

func TestStartProduceFetch(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 2, SeedTopics: map[string]int32{"seeded": 5}})
	if got := len(b.Addrs()); got != 2 {
		t.Fatalf("Addrs() = %d addresses, want 2", got)
	}
	c := testutil.Client(t, b)
	parts, err := c.Partitions("seeded")
	if err != nil || len(parts) != 5 {
		t.Fatalf("seeded topic partitions = %v, %v; want 5", parts, err)
	}
	if _, _, err := produceOne(t, b, "auto", "hello"); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = broker.Start(broker.Options{Nodes: 1, Port: port})
	if err == nil {
		t.Fatal("Start on a busy port succeeded")
	}
	if want := strconv.Itoa(port); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("error %q should name port %s and say it is in use", err, want)
	}
}

func TestFailRequests(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	if _, _, err := produceOne(t, b, "t", "warm-up"); err != nil {
		t.Fatalf("warm-up produce: %v", err)
	}
	if err := b.FailRequests(0, 1, int16(sarama.ErrNotEnoughReplicas)); err != nil {
		t.Fatal(err)
	}
	_, _, err := produceOne(t, b, "t", "fails")
	if !errors.Is(err, sarama.ErrNotEnoughReplicas) {
		t.Fatalf("produce err = %v, want NOT_ENOUGH_REPLICAS", err)
	}
	if _, _, err := produceOne(t, b, "t", "works again"); err != nil {
		t.Fatalf("produce after the failed one: %v", err)
	}
	if err := b.FailRequests(1000, 1, 1); err == nil {
		t.Fatal("FailRequests accepted an unknown api key")
	}
}

func TestDelayRequests(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	if _, _, err := produceOne(t, b, "t", "warm-up"); err != nil {
		t.Fatal(err)
	}
	stop := b.DelayRequests(0, 300*time.Millisecond)
	start := time.Now()
	if _, _, err := produceOne(t, b, "t", "slow"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("delayed produce took %v, want at least 300ms", took)
	}
	stop()
	if _, _, err := produceOne(t, b, "t", "after"); err != nil {
		t.Fatal(err)
	}
}

func TestStopNodeCutsConnections(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	c := testutil.Client(t, b)
	br, err := c.Broker(1)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := br.Connected(); !ok {
		if err := br.Open(c.Config()); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Eventually(t, 5*time.Second, "a live connection to node 1", func() bool { return b.LiveConns(1) > 0 })
	if err := b.StopNode(1); err != nil {
		t.Fatal(err)
	}
	if n := b.LiveConns(1); n != 0 {
		t.Fatalf("node 1 has %d live connections after stop", n)
	}
	if _, err := br.ApiVersions(&sarama.ApiVersionsRequest{}); err == nil {
		t.Fatal("request on a cut connection succeeded")
	}
	if got := len(b.Addrs()); got != 2 {
		t.Fatalf("Addrs() after stop = %d, want 2", got)
	}
	if err := b.RestartNode(1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := produceOne(t, b, "after-restart", "v"); err != nil {
		t.Fatalf("produce after restart: %v", err)
	}
}

func TestMoveLeader(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"m": 1}})
	from := b.Leader("m", 0)
	to := (from + 1) % 3
	if err := b.MoveLeader("m", 0, to); err != nil {
		t.Fatal(err)
	}
	if got := b.Leader("m", 0); got != to {
		t.Fatalf("leader = %d, want %d", got, to)
	}
	if err := b.MoveLeader("nope", 0, to); err == nil {
		t.Fatal("moving an unknown partition succeeded")
	}
}

func TestRestartClusterKeepsData(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir})
	p, off, err := produceOne(t, b, "keep", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.RestartCluster(); err != nil {
		t.Fatal(err)
	}
	_, high, _, err := b.PartitionOffsets("keep", p)
	if err != nil || high != off+1 {
		t.Fatalf("after restart high watermark = %d, %v; want %d", high, err, off+1)
	}
	if _, err := os.Stat(filepath.Join(dir)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := produceOne(t, b, "keep", "v2"); err != nil {
		t.Fatalf("produce after restart: %v", err)
	}
}

func TestRestartClusterNeedsDataDir(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	if err := b.RestartCluster(); err == nil {
		t.Fatal("RestartCluster without a data dir succeeded")
	}
}

// TestOldMetadataAutoCreates checks that Metadata v1 (kafka-python's)
// creates unknown topics, as Kafka does for versions without the
// AllowAutoTopicCreation field.
func TestOldMetadataAutoCreates(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	c := testutil.Client(t, b)
	br := c.Brokers()[0]
	if err := br.Open(c.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
		t.Fatal(err)
	}
	md, err := br.GetMetadata(&sarama.MetadataRequest{Version: 1, Topics: []string{"made-by-v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Err != sarama.ErrNoError || len(md.Topics[0].Partitions) == 0 {
		t.Fatalf("v1 metadata for a new topic: %+v (err %v)", md.Topics, md.Topics[0].Err)
	}
	md, err = br.GetMetadata(&sarama.MetadataRequest{Version: 4, Topics: []string{"not-by-v4"}, AllowAutoTopicCreation: false})
	if err != nil {
		t.Fatal(err)
	}
	if md.Topics[0].Err != sarama.ErrUnknownTopicOrPartition {
		t.Fatalf("v4 without auto-create created the topic: %v", md.Topics[0].Err)
	}
}

// TestLogsRollAtSegmentBytes: the broker's logs roll to a new segment at
// 8 MiB (not kfake's 100 MiB), a log of several segments comes back whole
// after a restart from the data dir, and DescribeConfigs shows the size as
// the default it is (not as a setting of every topic).
func TestLogsRollAtSegmentBytes(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"seg": 1}})
	value := strings.Repeat("v", 512<<10)
	const n = 20 // 10 MiB
	for i := range n {
		if _, _, err := produceOne(t, b, "seg", fmt.Sprint(i, value)); err != nil {
			t.Fatal(err)
		}
	}
	segs, err := filepath.Glob(filepath.Join(dir, "partitions", "seg-0", "*.dat"))
	if err != nil || len(segs) < 2 {
		t.Fatalf("segment files after 10 MiB: %v (%v), want at least 2", segs, err)
	}
	if err := b.RestartCluster(); err != nil {
		t.Fatal(err)
	}
	got := testutil.ReadValues(t, testutil.Factory(b), "seg", 0, n)
	for i, v := range got {
		if want := fmt.Sprint(i, value); v != want {
			t.Fatalf("value %d after the restart: %.20q..., want %.20q...", i, v, want)
		}
	}

	adm := admin(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topics, err := adm.DescribeTopicConfigs(ctx, "seg")
	if err != nil {
		t.Fatal(err)
	}
	brokers, err := adm.DescribeBrokerConfigs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, rcs kadm.ResourceConfigs, key string) {
		t.Helper()
		found := false
		for _, rc := range rcs {
			for _, c := range rc.Configs {
				switch c.Key {
				case key:
					found = true
					if c.MaybeValue() != "8388608" || c.Source != kmsg.ConfigSourceDefaultConfig {
						t.Errorf("%s %s: %s = %s (%s), want 8388608 as the default", what, rc.Name, c.Key, c.MaybeValue(), c.Source)
					}
				case "segment.bytes", "log.segment.bytes":
					t.Errorf("%s %s shows %s = %s (%s)", what, rc.Name, c.Key, c.MaybeValue(), c.Source)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s", what, key)
		}
	}
	check("topic", topics, "segment.bytes")
	check("broker", brokers, "log.segment.bytes")
}
