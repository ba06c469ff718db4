package conn_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
)

// within runs f and fails the test when it has not returned after limit.
func within[T any](t *testing.T, limit time.Duration, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(limit):
		t.Fatalf("still waiting after %v", limit)
		panic("unreachable")
	}
}

func TestSilentBrokerGivesUpWithinTimeout(t *testing.T) {
	addr := testutil.SilentBroker(t)
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{addr}, Timeout: 300 * time.Millisecond}}
	opens := map[string]func() error{
		"client":        func() error { _, err := f.Client(); return err },
		"admin":         func() error { _, err := f.Admin(); return err },
		"async":         func() error { _, err := f.AsyncProducer(); return err },
		"sync":          func() error { _, err := f.SyncProducer(); return err },
		"consumer":      func() error { _, err := f.Consumer(); return err },
		"consumergroup": func() error { _, err := f.ConsumerGroup("g"); return err },
	}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			// sarama alone takes 4.5 timeouts here (1.35s); the bound is
			// generous for a loaded machine but far below what a hang is.
			err := within(t, 5*time.Second, open)
			if !errors.Is(err, kqerr.ErrUnreachable) {
				t.Fatalf("error %v is not unreachable", err)
			}
			want := fmt.Sprintf("no answer from %s within 300ms (waited for the cluster's metadata): connected, but no answer: TLS or SASL mismatch, or not a Kafka port?", addr)
			if !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("error %q\nwant suffix %q", err, want)
			}
		})
	}
}

func TestNothingListensGivesUpWithinTimeout(t *testing.T) {
	// 192.0.2.1 (TEST-NET-1) is never routed: the dial itself hangs, or
	// fails at once where no route exists; either way within the timeout.
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{"192.0.2.1:9092"}, Timeout: 300 * time.Millisecond}}
	err := within(t, 5*time.Second, func() error { _, err := f.Client(); return err })
	if !errors.Is(err, kqerr.ErrUnreachable) || strings.Contains(err.Error(), "connected") {
		t.Fatalf("error %v", err)
	}
}

func TestClassifyTimeout(t *testing.T) {
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{"k1:9092"}, Timeout: time.Second}}
	slow := fmt.Errorf("list offsets: %w", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}})
	err := f.Classify(slow)
	if !errors.Is(err, kqerr.ErrUnreachable) || !strings.Contains(err.Error(), "no answer from the cluster at k1:9092 within 1s") {
		t.Fatalf("timeout classified as %v", err)
	}
	closed := sarama.Wrap(sarama.ErrOutOfBrokers, io.EOF)
	err = f.Classify(closed)
	if !errors.Is(err, kqerr.ErrUnreachable) || !strings.Contains(err.Error(), "closed the connection: does it expect TLS (tls) or SASL (sasl mechanism)?") {
		t.Fatalf("EOF without SASL classified as %v", err)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestUnreachableNamesTheCluster(t *testing.T) {
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{"k1:9092"}}}
	lost := &sarama.ConsumerError{Topic: "t", Partition: 0, Err: io.EOF}
	if !conn.IsUnreachable(lost) || conn.IsUnreachable(&sarama.ConsumerError{Err: sarama.ErrNotLeaderForPartition}) {
		t.Fatal("IsUnreachable: EOF is, a leader move is not")
	}
	err := f.Unreachable(lost)
	if !errors.Is(err, kqerr.ErrUnreachable) || !strings.HasSuffix(err.Error(), "cannot reach the cluster at k1:9092: EOF") {
		t.Fatalf("Unreachable(%v) = %v", lost, err)
	}
}
