package produce_test

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

// TestRetriesBoundTheAttempts: with every Produce answer turned into
// NOT_LEADER_OR_FOLLOWER (a retriable error), a record is sent once plus
// Settings.Retries times, then fails with the broker's error.
func TestRetriesBoundTheAttempts(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 2} {
		b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
		e := chaos.NewEngine(chaos.EngineOptions{Seed: 1})
		if _, err := e.Set(chaos.Fault{Kind: chaos.ResponseError, APIs: []int16{0}, Probability: 1, ErrorCode: int16(sarama.ErrNotLeaderForPartition)}); err != nil {
			t.Fatal(err)
		}
		env := newEnv(t, 1)
		env.b = b
		env.f = testutil.Factory(b)
		env.f.Dialer = chaos.NewDialer(e, chaos.DialerOptions{Timeout: 5 * time.Second})
		env.opts.Settings.Retries = retries
		env.opts.Settings.RetryBackoff = time.Millisecond
		res, rec, err := env.run(t, lines("one\n"))
		if !errors.Is(err, produce.ErrNotDelivered) || res.Failed != 1 || len(rec.failures) != 1 {
			t.Fatalf("retries %d: %+v, %v; want the record failed", retries, res, err)
		}
		if f := rec.failures[0].Err; !errors.Is(f, sarama.ErrNotLeaderForPartition) {
			t.Errorf("retries %d: failed with %v, want the broker's error", retries, f)
		}
		if hits := e.List()[0].Hits; hits != int64(retries+1) {
			t.Errorf("retries %d: %d produce requests answered with the fault, want %d", retries, hits, retries+1)
		}
	}
}
