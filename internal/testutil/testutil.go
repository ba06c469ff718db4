// Package testutil holds helpers for kq's tests: an in-process built-in
// broker per test, a sarama client factory and a kadm client pointed at
// it, produce helpers, and a listener that never answers.
package testutil

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kadmin"
)

// StartBroker starts a built-in cluster on random 127.0.0.1 ports for the
// test and closes it with t.Cleanup. opts may be nil for three nodes.
func StartBroker(t testing.TB, opts *broker.Options) *broker.Broker {
	t.Helper()
	var o broker.Options
	if opts != nil {
		o = *opts
	}
	o.Port = 0
	o.Host = "127.0.0.1"
	b, err := broker.Start(o)
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Cluster starts a built-in cluster for the test, as [StartBroker] does,
// and returns it with a client factory for it ([Factory]).
func Cluster(t testing.TB, opts *broker.Options) (*broker.Broker, conn.Factory) {
	t.Helper()
	b := StartBroker(t, opts)
	return b, Factory(b)
}

// Factory returns a client factory for b with short timeouts suited to
// tests.
func Factory(b *broker.Broker) conn.Factory {
	return conn.Factory{
		Profile: conn.Profile{Brokers: b.Addrs(), Timeout: 5 * time.Second},
		Tweak: func(c *sarama.Config) {
			c.Metadata.Retry.Backoff = 50 * time.Millisecond
			c.Producer.Retry.Backoff = 50 * time.Millisecond
			c.Consumer.Retry.Backoff = 50 * time.Millisecond
		},
	}
}

// Eventually polls cond every few milliseconds until it returns true or
// the timeout passes, then fails the test with msg.
func Eventually(t testing.TB, timeout time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// KAdmin returns a kadm client (internal/kadmin) for b, closed with
// t.Cleanup.
func KAdmin(t testing.TB, b *broker.Broker) *kadm.Client {
	t.Helper()
	cl, closeFn, err := kadmin.New(conn.Profile{Brokers: b.Addrs(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("kadm client: %v", err)
	}
	t.Cleanup(closeFn)
	return cl
}

// KGo returns a franz-go client seeded with b's nodes and opts, closed
// with t.Cleanup.
func KGo(t testing.TB, b *broker.Broker, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addrs()...)}, opts...)...)
	if err != nil {
		t.Fatalf("kgo client: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Client returns a sarama client of [Factory](b), closed with t.Cleanup.
func Client(t testing.TB, b *broker.Broker) sarama.Client {
	t.Helper()
	c, err := Factory(b).Client()
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
