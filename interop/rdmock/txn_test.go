package rdmock

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestTransactionsNotIsolated: a transactional producer built by kq's
// factory can begin, commit and abort transactions against the mock, but
// the mock keeps no aborted-transaction index: a read_committed consumer
// sees the records of the aborted transaction too.
func TestTransactionsNotIsolated(t *testing.T) {
	boot := startMock(t, "t")
	f := kqFactory(boot, workingVersion)
	p, err := f.SyncProducer(func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Transaction.ID = "rdmock-txn"
		c.Producer.Retry.Max = 3
		c.Net.MaxOpenRequests = 1
	})
	if err != nil {
		t.Fatalf("transactional producer: %v", err)
	}
	defer p.Close()
	committed := sendTxn(t, p, "committed", true)
	aborted := sendTxn(t, p, "aborted", false)
	got, err := readAll(f, "t", sarama.ReadCommitted)
	if err != nil {
		t.Fatal(err)
	}
	// Were the mock to honour read_committed, got would equal committed;
	// it holds both, which is the known limit.
	sameRecords(t, got, append(committed, aborted...))
}

// sendTxn sends five records in one transaction and commits or aborts it.
func sendTxn(t *testing.T, p sarama.SyncProducer, prefix string, commit bool) []record {
	t.Helper()
	if err := p.BeginTxn(); err != nil {
		t.Fatalf("begin: %v", err)
	}
	msgs, recs := testMessages("t", prefix, 5)
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("send %s: %v", prefix, err)
	}
	end := p.AbortTxn
	if commit {
		end = p.CommitTxn
	}
	if err := end(); err != nil {
		t.Fatalf("end %s transaction: %v", prefix, err)
	}
	return recs
}
