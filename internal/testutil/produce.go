package testutil

import (
	"strconv"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// Msg is a record with value (and key, unless empty) for partition of
// topic.
func Msg(topic string, partition int32, key, value string) *sarama.ProducerMessage {
	m := &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.StringEncoder(value)}
	if key != "" {
		m.Key = sarama.StringEncoder(key)
	}
	return m
}

// Values returns n records for topic/partition with the values
// "v0".."v<n-1>" and no key.
func Values(topic string, partition int32, n int) []*sarama.ProducerMessage {
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = Msg(topic, partition, "", "v"+strconv.Itoa(i))
	}
	return msgs
}

// MsgsApart returns [Values] whose timestamps are step apart from base on,
// for tests of offsets by time.
func MsgsApart(topic string, partition int32, n int, base time.Time, step time.Duration) []*sarama.ProducerMessage {
	msgs := Values(topic, partition, n)
	for i, m := range msgs {
		m.Timestamp = base.Add(time.Duration(i) * step)
	}
	return msgs
}

// ManualPartitioner makes a producer write each record to the partition
// it names.
func ManualPartitioner(c *sarama.Config) { c.Producer.Partitioner = sarama.NewManualPartitioner }

// TxnConfig configures an idempotent, transactional producer with id.
func TxnConfig(id string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Producer.Idempotent = true
		c.Producer.Transaction.ID = id
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Net.MaxOpenRequests = 1
	}
}

// Produce writes msgs in order, each in a request of its own, to the
// partitions they name, with acks=all, and returns their offsets.
func Produce(t testing.TB, f conn.Factory, msgs ...*sarama.ProducerMessage) []int64 {
	t.Helper()
	p := syncProducer(t, f)
	defer p.Close()
	return sendAll(t, p, msgs)
}

// sendAll sends msgs one by one and returns their offsets.
func sendAll(t testing.TB, p sarama.SyncProducer, msgs []*sarama.ProducerMessage) []int64 {
	t.Helper()
	offsets := make([]int64, len(msgs))
	for i, m := range msgs {
		_, off, err := p.SendMessage(m)
		if err != nil {
			t.Fatalf("produce: %v", err)
		}
		offsets[i] = off
	}
	return offsets
}

// ProduceBatch writes msgs in one call, so that records for one partition
// share batches, with acks=all.
func ProduceBatch(t testing.TB, f conn.Factory, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	p := syncProducer(t, f)
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// ProduceTxn writes msgs in one transaction of a producer with
// transactional id and commits it, or aborts it unless commit.
func ProduceTxn(t testing.TB, f conn.Factory, id string, commit bool, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	p := syncProducer(t, f, TxnConfig(id))
	defer p.Close()
	beginAndSend(t, p, msgs)
	end := p.AbortTxn
	if commit {
		end = p.CommitTxn
	}
	if err := end(); err != nil {
		t.Fatalf("end txn: %v", err)
	}
}

// OpenTxn writes msgs in a transaction of a producer with transactional id
// and leaves the transaction open until the test ends.
func OpenTxn(t testing.TB, f conn.Factory, id string, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	p := syncProducer(t, f, TxnConfig(id))
	t.Cleanup(func() { p.Close() })
	beginAndSend(t, p, msgs)
}

func beginAndSend(t testing.TB, p sarama.SyncProducer, msgs []*sarama.ProducerMessage) {
	t.Helper()
	if err := p.BeginTxn(); err != nil {
		t.Fatalf("begin txn: %v", err)
	}
	sendAll(t, p, msgs)
}

// syncProducer opens a producer with the manual partitioner and acks=all;
// mods apply after those.
func syncProducer(t testing.TB, f conn.Factory, mods ...func(*sarama.Config)) sarama.SyncProducer {
	t.Helper()
	base := func(c *sarama.Config) {
		ManualPartitioner(c)
		c.Producer.RequiredAcks = sarama.WaitForAll
		// Idempotent, so that a batch retried after a slow answer on a
		// loaded machine is not written twice: tests expect each record
		// at one offset.
		c.Producer.Idempotent = true
		c.Net.MaxOpenRequests = 1
	}
	p, err := f.SyncProducer(append([]func(*sarama.Config){base}, mods...)...)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	return p
}
