package produce_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestIdempotentWritesOnceDespiteLostAnswers: with answers to Produce
// lost (the chaos drop-response fault), the batch path sends batches
// again; with idempotence the broker appends each once, without it the
// partition holds duplicates (which shows the faults hit appended
// batches).
func TestIdempotentWritesOnceDespiteLostAnswers(t *testing.T) {
	t.Parallel()
	const n = 40
	for _, idempotent := range []bool{true, false} {
		b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
		e := chaos.NewEngine(chaos.EngineOptions{Seed: 5})
		if _, err := e.Set(chaos.Fault{Kind: chaos.DropResponse, APIs: []int16{0}, Probability: 0.3}); err != nil {
			t.Fatal(err)
		}
		env := newEnv(t, 1)
		env.b = b
		env.f = testutil.Factory(b)
		env.f.Dialer = chaos.NewDialer(e, chaos.DialerOptions{Timeout: 5 * time.Second})
		env.f.Tweak = func(c *sarama.Config) { c.Net.ReadTimeout = 300 * time.Millisecond }
		env.opts.Settings.Idempotent = idempotent
		env.opts.Settings.Linger = 0 // a batch per record: many requests, many lost answers
		env.opts.Settings.DeliveryTimeout = 30 * time.Second
		env.opts.FlushTimeout = 30 * time.Second
		res, rec, err := env.run(t, lines(numbered(n)))
		if err != nil || res.Acked != n {
			for _, f := range rec.failures {
				t.Logf("failure: %v", f.Err)
			}
			t.Fatalf("idempotent %t: %+v, %v; want %d acked", idempotent, res, err, n)
		}
		dropped := e.List()[0].Hits
		recs := readPartition(t, testutil.Factory(b), "t", 0)
		seen := map[string]int{}
		for _, r := range recs {
			seen[string(r.Value)]++
		}
		dups := len(recs) - len(seen)
		switch {
		case dropped == 0:
			t.Fatalf("idempotent %t: no answer was lost; the test proves nothing", idempotent)
		case len(seen) != n:
			t.Fatalf("idempotent %t: %d distinct values in the partition, want %d", idempotent, len(seen), n)
		case idempotent && dups != 0:
			t.Errorf("idempotent: %d records, %d duplicates after %d lost answers; want %d, none", len(recs), dups, dropped, n)
		case !idempotent && dups == 0:
			t.Errorf("not idempotent: no duplicate after %d lost answers; the faults did not hit appended batches", dropped)
		}
	}
}
