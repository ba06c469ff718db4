package verify

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// writeTxns writes transactions of n values of size bytes to partition 0
// of topic, committing or aborting each as commit says; values are named
// "<txn>-<i>" and padded.
func writeTxns(t *testing.T, b *broker.Broker, topic string, n, size int, commit []bool) {
	t.Helper()
	p, err := testutil.Factory(b).AsyncProducer(func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Net.MaxOpenRequests = 1
		c.Producer.Transaction.ID = "fetch-test"
		c.Producer.Partitioner = sarama.NewManualPartitioner
		c.Producer.MaxMessageBytes = 2 * size
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pad := strings.Repeat("x", size)
	for txn, ok := range commit {
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprintf("%d-%d-%s", txn, i, pad))}
		}
		end := p.AbortTxn
		if ok {
			end = p.CommitTxn
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
	}
}

// readAll reads partition 0 of topic to its high watermark and counts the
// values of each transaction.
func readAll(t *testing.T, client sarama.Client, topic string, iso sarama.IsolationLevel) (perTxn map[string]int, fetches int) {
	t.Helper()
	hw, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	lr, err := newLogReader(client, topic, 0, iso)
	if err != nil {
		t.Fatal(err)
	}
	defer lr.close()
	perTxn = map[string]int{}
	deadline := time.Now().Add(20 * time.Second)
	for lr.offset < hw {
		if time.Now().After(deadline) {
			t.Fatalf("read to %d of %d in 20s", lr.offset, hw)
		}
		recs, err := lr.next()
		if err != nil {
			t.Fatal(err)
		}
		fetches++
		for _, r := range recs {
			txn, _, ok := bytes.Cut(r.value, []byte("-"))
			if !ok {
				t.Fatalf("offset %d: value %.20q is not a test value (a control record?)", r.offset, r.value)
			}
			perTxn[string(txn)]++
		}
	}
	return perTxn, fetches
}

func TestLogReaderAppliesIsolation(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	// More than a fetch's worth (1 MiB) per transaction, so the aborted
	// transaction's index must survive responses cut by size.
	const n, size = 120, 10 << 10
	writeTxns(t, b, "t", n, size, []bool{true, false, true, false})
	client := testutil.Client(t, b)

	got, fetches := readAll(t, client, "t", sarama.ReadCommitted)
	if fetches < 4 {
		t.Fatalf("read in %d fetches: the test needs responses cut by size", fetches)
	}
	if want := map[string]int{"0": n, "2": n}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read_committed saw %v, want %v (aborted transactions 1 and 3 hidden)", got, want)
	}
	got, _ = readAll(t, client, "t", sarama.ReadUncommitted)
	if want := map[string]int{"0": n, "1": n, "2": n, "3": n}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read_uncommitted saw %v, want %v", got, want)
	}
}
