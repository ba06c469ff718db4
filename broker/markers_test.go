package broker_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestTransactionMarkersDecode checks that sarama can read past the
// transaction markers the built-in broker writes (kfake writes them without
// the value Kafka gives them; the broker repairs fetch responses).
func TestTransactionMarkersDecode(t *testing.T) {
	_, f := testutil.Cluster(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"tx": 1}})
	p, err := f.AsyncProducer(func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Transaction.ID = "markers-test"
		c.Net.MaxOpenRequests = 1
		c.Producer.Return.Successes = true
	})
	if err != nil {
		t.Fatal(err)
	}
	send := func(v string, commit bool) {
		t.Helper()
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		p.Input() <- &sarama.ProducerMessage{Topic: "tx", Value: sarama.StringEncoder(v)}
		select {
		case <-p.Successes():
		case err := <-p.Errors():
			t.Fatal(err)
		case <-time.After(10 * time.Second):
			t.Fatal("no ack")
		}
		if commit {
			err = p.CommitTxn()
		} else {
			err = p.AbortTxn()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	send("committed-1", true)
	send("aborted", false)
	send("committed-2", true)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		isolation sarama.IsolationLevel
		want      []string
	}{
		{sarama.ReadCommitted, []string{"committed-1", "committed-2"}},
		{sarama.ReadUncommitted, []string{"committed-1", "aborted", "committed-2"}},
	} {
		got := readAll(t, f, tc.isolation, len(tc.want))
		if len(got) != len(tc.want) {
			t.Fatalf("isolation %v: got %q, want %q", tc.isolation, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Fatalf("isolation %v: got %q, want %q", tc.isolation, got, tc.want)
			}
		}
	}
}

// readAll reads n values of tx/0 from its start with sarama at isolation
// level iso.
func readAll(t *testing.T, f conn.Factory, iso sarama.IsolationLevel, n int) []string {
	t.Helper()
	return testutil.ReadValues(t, f, "tx", 0, n, func(c *sarama.Config) { c.Consumer.IsolationLevel = iso })
}
