package broker_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestReinitAbortsOpenTransaction checks Kafka's rule that initialising a
// transactional id aborts the transaction a previous (crashed) producer of
// that id left open, so the successor's commit cannot expose its writes.
func TestReinitAbortsOpenTransaction(t *testing.T) {
	b, f := testutil.Cluster(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"tx": 1}})
	newProducer := func() sarama.AsyncProducer {
		t.Helper()
		p, err := f.AsyncProducer(func(c *sarama.Config) {
			c.Producer.Idempotent = true
			c.Producer.RequiredAcks = sarama.WaitForAll
			c.Producer.Transaction.ID = "reinit-test"
			c.Producer.Transaction.Retry.Backoff = 20 * time.Millisecond
			c.Net.MaxOpenRequests = 1
			c.Producer.Return.Successes = true
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	send := func(p sarama.AsyncProducer, v string) {
		t.Helper()
		p.Input() <- &sarama.ProducerMessage{Topic: "tx", Value: sarama.StringEncoder(v)}
		select {
		case <-p.Successes():
		case err := <-p.Errors():
			t.Fatal(err)
		case <-time.After(10 * time.Second):
			t.Fatal("no ack")
		}
	}
	crashed := newProducer()
	if err := crashed.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	send(crashed, "left-open") // never committed: the producer "crashes"

	next := newProducer()
	defer next.Close()
	if err := next.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	send(next, "committed")
	if err := next.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, f, sarama.ReadCommitted, 1)
	if got[0] != "committed" {
		t.Fatalf("read_committed saw %q first, want only the successor's commit", got)
	}
	_, high, stable, err := b.PartitionOffsets("tx", 0)
	if err != nil || stable != high {
		t.Fatalf("last stable offset %d, high watermark %d (%v): a transaction is still open", stable, high, err)
	}
}
