package produce_test

import (
	"fmt"
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
// batches). Idempotent, it runs with the default two requests in flight
// and with eight, which the window caps at the five batches a broker
// remembers per partition (with more, a batch sent again after five later
// ones were appended is refused as out of order until the flush timeout).
func TestIdempotentWritesOnceDespiteLostAnswers(t *testing.T) {
	t.Parallel()
	const n = 40
	for _, tc := range []struct {
		idempotent  bool
		maxInFlight int
	}{{true, 2}, {true, 8}, {false, 2}} {
		name := fmt.Sprintf("idempotent %t, %d in flight", tc.idempotent, tc.maxInFlight)
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
		env.opts.Settings.Idempotent = tc.idempotent
		env.opts.Settings.MaxInFlight = tc.maxInFlight
		env.opts.Settings.Linger = 0 // a batch per record: many requests, many lost answers
		env.opts.Settings.DeliveryTimeout = 30 * time.Second
		env.opts.FlushTimeout = 30 * time.Second
		res, rec, err := env.run(t, lines(numbered(n)))
		if err != nil || res.Acked != n {
			for _, f := range rec.failures {
				t.Logf("failure: %v", f.Err)
			}
			t.Fatalf("%s: %+v, %v; want %d acked", name, res, err, n)
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
			t.Fatalf("%s: no answer was lost; the test proves nothing", name)
		case len(seen) != n:
			t.Fatalf("%s: %d distinct values in the partition, want %d", name, len(seen), n)
		case tc.idempotent && dups != 0:
			t.Errorf("%s: %d records, %d duplicates after %d lost answers; want %d, none", name, len(recs), dups, dropped, n)
		case !tc.idempotent && dups == 0:
			t.Errorf("%s: no duplicate after %d lost answers; the faults did not hit appended batches", name, dropped)
		}
	}
}
