package chaos_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/testutil"
)

// The built-in broker is the runner's broker target as it is.
var _ chaos.BrokerTarget = (*broker.Broker)(nil)

func oneWindow(t *testing.T, spec string, d time.Duration) *chaos.Schedule {
	t.Helper()
	faults, err := chaos.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	s, err := chaos.NewSchedule(chaos.ScheduleOptions{Faults: faults, Duration: d, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBrokerErrorReachesClient(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	r := &chaos.Runner{Broker: b}
	if _, err := r.Run(context.Background(), oneWindow(t, "broker-error,code=NOT_ENOUGH_REPLICAS,n=1", time.Millisecond), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	p, err := testutil.Factory(b).SyncProducer(func(c *sarama.Config) { c.Producer.Retry.Max = 0 })
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, _, err = p.SendMessage(&sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("x")})
	if !errors.Is(err, sarama.ErrNotEnoughReplicas) {
		t.Fatalf("produce err = %v, want NOT_ENOUGH_REPLICAS", err)
	}
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("y")}); err != nil {
		t.Fatalf("the fault outlived its count: %v", err)
	}
}

func TestKillNodeCutsLiveConnectionsUntilHealed(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	client := testutil.Client(t, b)
	victim, err := client.Broker(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := victim.Open(client.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
		t.Fatal(err)
	}
	if _, err := victim.GetMetadata(&sarama.MetadataRequest{Version: 4}); err != nil {
		t.Fatalf("metadata before the fault: %v", err)
	}
	if b.LiveConns(1) == 0 {
		t.Fatal("no live connection to node 1 to cut")
	}
	r := &chaos.Runner{Broker: b}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan chaos.Timeline)
	go func() {
		tl, _ := r.Run(ctx, oneWindow(t, "kill-node,target=1", time.Hour), 0)
		done <- tl
	}()
	testutil.Eventually(t, 5*time.Second, "node 1 to stop", func() bool { return slices.Contains(b.StoppedNodes(), 1) })
	if _, err := victim.GetMetadata(&sarama.MetadataRequest{Version: 4}); err == nil {
		t.Fatal("a live connection to the killed node still answered")
	}
	cancel()
	tl := <-done
	if len(tl.Events) != 1 || !tl.Events[0].Interrupted || tl.Events[0].HealError != "" {
		t.Fatalf("timeline = %+v", tl)
	}
	if len(b.StoppedNodes()) != 0 {
		t.Fatalf("nodes %v still stopped after the heal", b.StoppedNodes())
	}
}
