package produce_test

import (
	"fmt"
	"slices"
	"strings"
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

// TestIdempotentGoesOnAfterARefusedBatch: a batch the broker refuses (a
// record over the topic's max.message.bytes) fails alone; the batches
// after it take its sequence numbers and are written, in order, instead
// of being refused as out of order until the flush timeout. With faked
// refusals assumed, the numbers are kept and the later batches are lost
// to that timeout, which shows the refused batch left a gap.
func TestIdempotentGoesOnAfterARefusedBatch(t *testing.T) {
	t.Parallel()
	for _, faked := range []bool{false, true} {
		env := newEnv(t, 1)
		admin, err := env.f.Admin()
		if err != nil {
			t.Fatal(err)
		}
		limit := "2000"
		err = admin.CreateTopic("small", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
			ConfigEntries: map[string]*string{"max.message.bytes": &limit}}, false)
		admin.Close()
		if err != nil {
			t.Fatal(err)
		}
		var in strings.Builder
		for i := range 300 {
			if i == 20 {
				in.WriteString(strings.Repeat("x", 3000) + "\n")
			}
			fmt.Fprintf(&in, "v%03d\n", i)
		}
		env.opts.Topic = "small"
		env.opts.Settings.Idempotent, env.opts.Settings.FakedRefusals = true, faked
		env.opts.Settings.BatchBytes, env.opts.Settings.Linger = 500, 0
		env.opts.FlushTimeout = 3 * time.Second
		res, _, _ := env.run(t, lines(in.String()))
		switch {
		case !faked && (res.Acked != 300 || res.Failed != 1 || res.InDoubt != 0):
			t.Fatalf("%+v; want 300 acked, the big record failed", res)
		case faked && res.InDoubt == 0:
			t.Fatalf("faked refusals: %+v; want the later batches in doubt", res)
		case faked:
			continue
		}
		var got []string
		for _, r := range readPartition(t, testutil.Factory(env.b), "small", 0) {
			got = append(got, string(r.Value))
		}
		if len(got) != 300 || got[0] != "v000" || got[299] != "v299" || !slices.IsSorted(got) {
			t.Errorf("partition holds %d records (%v ... ), want v000 to v299 in order", len(got), got[:min(3, len(got))])
		}
	}
}
