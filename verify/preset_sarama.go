package verify

import (
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

// Client tuning shared by the run's clients. The fetch long-poll is short
// because a synchronous commit on the same connection waits behind it.
const (
	fetchMaxWait       = 100 * time.Millisecond
	retryBackoff       = 50 * time.Millisecond
	autoCommitInterval = 200 * time.Millisecond
	sessionTimeout     = 10 * time.Second
	heartbeatInterval  = 100 * time.Millisecond
	rebalanceBackoff   = 50 * time.Millisecond
	// txnTimeout bounds a copier transaction: a crashed copier's open
	// transaction is aborted after this long at the latest.
	txnTimeout = 10 * time.Second
	// copierLinger is how long a copier's record waits for others to
	// share its produce request.
	copierLinger = 5 * time.Millisecond
)

// baseConfig applies the run's timeouts and retry pacing. Every backoff of
// a client incarnation drops to zero once it is dead (l may be nil for a
// client that never crashes): its connections are refused at once, so its
// retries run out at once and its shutdown does not crawl through them.
func (r *run) baseConfig(l *life) func(*sarama.Config) {
	return func(c *sarama.Config) {
		c.Net.ReadTimeout = r.requestTimeout + fetchMaxWait
		c.Net.WriteTimeout = r.requestTimeout
		c.Metadata.Retry.Max = 20
		c.Metadata.Retry.BackoffFunc = untilDead(l, 100*time.Millisecond)
		c.Producer.Retry.BackoffFunc = untilDead(l, retryBackoff)
		c.Producer.Transaction.Retry.BackoffFunc = untilDead(l, retryBackoff)
		c.Consumer.Retry.BackoffFunc = func(n int) time.Duration { return untilDead(l, 100*time.Millisecond)(n, 0) }
		c.Consumer.Group.Rebalance.Retry.Backoff = 200 * time.Millisecond
		c.Consumer.MaxWaitTime = fetchMaxWait
		c.Consumer.Offsets.Initial = sarama.OffsetOldest
		c.Consumer.Return.Errors = false
	}
}

// untilDead is a backoff of d while l lives and of nothing after.
func untilDead(l *life, d time.Duration) func(int, int) time.Duration {
	return func(int, int) time.Duration {
		if l != nil && l.isDead() {
			return 0
		}
		return d
	}
}

// producerConfig is the client configuration of the workload producers,
// which run kq produce's batch path (produceOptions has their delivery
// settings): the run's timeouts, and the broker's wait for replicas
// (acks=all) within half a request timeout.
func (r *run) producerConfig(l *life) func(*sarama.Config) {
	return func(c *sarama.Config) {
		r.baseConfig(l)(c)
		c.Producer.Timeout = r.requestTimeout / 2
	}
}

// groupConfig is a group consumer's configuration: static membership
// under instance, so a crashed consumer's replacement takes its place
// without waiting for its session to expire.
func (r *run) groupConfig(l *life, instance string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		r.baseConfig(l)(c)
		c.Consumer.IsolationLevel = r.set.Isolation.Sarama()
		c.Consumer.Offsets.AutoCommit.Enable = r.set.AutoCommit
		c.Consumer.Offsets.AutoCommit.Interval = autoCommitInterval
		c.Consumer.Group.InstanceId = instance
		c.Consumer.Group.Session.Timeout = sessionTimeout
		c.Consumer.Group.Heartbeat.Interval = heartbeatInterval
		c.Consumer.Group.Rebalance.Timeout = sessionTimeout
		c.Consumer.Group.Rebalance.Retry.Backoff = rebalanceBackoff
		// A claim's channel holds a full batch, so a consumer that falls
		// behind takes (and commits) larger batches: fewer synchronous
		// commits per record exactly when they would hold it back.
		c.ChannelBufferSize = maxBatch
	}
}

// copierProducerConfig is a copier's transactional producer: idempotent,
// acks=all, one request in flight, writing to the partition it names.
func (r *run) copierProducerConfig(l *life, txnID string) func(*sarama.Config) {
	return func(c *sarama.Config) {
		r.baseConfig(l)(c)
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Idempotent = true
		c.Producer.Transaction.ID = txnID
		c.Producer.Transaction.Timeout = txnTimeout
		c.Producer.Transaction.Retry.Max = 20
		c.Producer.Retry.Max = 20
		c.Net.MaxOpenRequests = 1
		c.Producer.Return.Successes = true
		c.Producer.Return.Errors = true
		c.Producer.Partitioner = sarama.NewManualPartitioner
		c.Producer.Timeout = r.requestTimeout / 2
		// One request in flight: batch what arrives meanwhile rather than
		// send each record in a request of its own.
		c.Producer.Flush.Frequency = copierLinger
	}
}

// readerConfig is the configuration of a partition consumer: a copier's
// input (read_committed, as consume-transform-produce prescribes) or the
// validator (the settings' isolation).
func (r *run) readerConfig(l *life, i setting.Isolation) func(*sarama.Config) {
	return func(c *sarama.Config) {
		r.baseConfig(l)(c)
		c.Consumer.IsolationLevel = i.Sarama()
	}
}
