package chaos_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
)

// chaosFactory returns a client factory for b whose connections go through
// a dialer on e.
func chaosFactory(b *broker.Broker, e *chaos.Engine) conn.Factory {
	f := testutil.Factory(b)
	f.Dialer = chaos.NewDialer(e, chaos.DialerOptions{Timeout: 5 * time.Second})
	return f
}

// retryingProducer is an acks=all producer with many retries and a short
// read timeout, so a lost response turns into a quick retry.
func retryingProducer(idempotent bool) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Version = sarama.V2_8_0_0
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Retry.Max = 20
		c.Producer.Retry.Backoff = 20 * time.Millisecond
		c.Producer.Idempotent = idempotent
		c.Net.ReadTimeout = 400 * time.Millisecond
		c.Net.MaxOpenRequests = 1
		c.Producer.Partitioner = sarama.NewManualPartitioner
	}
}

// produceSeq sends n values to partition 0 of topic, one at a time.
func produceSeq(t *testing.T, f conn.Factory, topic string, n int, mod func(*sarama.Config)) {
	t.Helper()
	p, err := f.SyncProducer(mod)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer p.Close()
	for i := range n {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprint(i))}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
}

// readLog returns every value in partition 0 of topic, read directly from
// the broker (no chaos), up to the high watermark.
func readLog(t *testing.T, b *broker.Broker, topic string) []string {
	t.Helper()
	_, high, _, err := b.PartitionOffsets(topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.ReadValues(t, testutil.Factory(b), topic, 0, int(high))
}

// duplicates counts values that appear more than once.
func duplicates(values []string) int {
	seen := map[string]int{}
	dups := 0
	for _, v := range values {
		if seen[v]++; seen[v] == 2 {
			dups++
		}
	}
	return dups
}

func TestDropResponseDuplicatesOnlyWithoutIdempotence(t *testing.T) {
	const n = 15
	for _, tc := range []struct {
		name       string
		idempotent bool
	}{{"plain retrying producer", false}, {"idempotent producer", true}} {
		t.Run(tc.name, func(t *testing.T) {
			b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
			e := chaos.NewEngine(chaos.EngineOptions{Seed: 3})
			id, err := e.Set(chaos.Fault{Kind: chaos.DropResponse, APIs: []int16{0}, Probability: 0.3})
			if err != nil {
				t.Fatal(err)
			}
			produceSeq(t, chaosFactory(b, e), "t", n, retryingProducer(tc.idempotent))
			dropped := e.List()[0].Hits
			e.Clear(id)
			values := readLog(t, b, "t")
			if dropped == 0 {
				t.Fatal("no response was dropped; the test proves nothing")
			}
			if tc.idempotent {
				if len(values) != n || duplicates(values) != 0 {
					t.Fatalf("idempotent: %d records, %d duplicated values after %d lost responses; want %d, 0", len(values), duplicates(values), dropped, n)
				}
				return
			}
			// Every lost response makes the producer write its record again.
			if len(values) != n+int(dropped) || duplicates(values) == 0 {
				t.Fatalf("plain: %d records with %d duplicated values after %d lost responses; want %d", len(values), duplicates(values), dropped, n+int(dropped))
			}
		})
	}
}

func TestPartitionIsolatesOneBroker(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"p": 6}})
	victim := b.Leader("p", 0)
	if err := b.MoveLeader("p", 1, (victim+1)%3); err != nil { // leaders are random: make sure one is elsewhere
		t.Fatal(err)
	}
	e := chaos.NewEngine(chaos.EngineOptions{})
	f := chaosFactory(b, e)
	p, err := f.SyncProducer(func(c *sarama.Config) {
		c.Producer.Partitioner = sarama.NewManualPartitioner
		c.Producer.Retry.Max = 0
		c.Metadata.Retry.Max = 0
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := e.Set(chaos.Fault{Kind: chaos.Partition, Target: fmt.Sprint(victim)}); err != nil {
		t.Fatal(err)
	}
	cut, ok := 0, 0
	for part := range int32(6) {
		_, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "p", Partition: part, Value: sarama.StringEncoder("x")})
		led := b.Leader("p", part)
		switch {
		case led == victim && err == nil:
			t.Fatalf("partition %d, led by the isolated node, accepted a write", part)
		case led != victim && err != nil:
			t.Fatalf("partition %d, led by node %d, failed: %v", part, led, err)
		case led == victim:
			cut++
		default:
			ok++
		}
	}
	if cut == 0 || ok == 0 {
		t.Fatalf("leaders not spread over nodes (%d on the victim, %d elsewhere)", cut, ok)
	}
}
