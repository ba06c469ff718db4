package produce_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
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

// stagedSource yields its stages' values one after the other, calling a
// stage's before hook (which may wait for a state) before its first
// value.
type stagedSource struct {
	stages []stage
	i, j   int
}

// stage is values yielded after before returned.
type stage struct {
	before func()
	values []string
}

func (s *stagedSource) Next(r *produce.Record) error {
	for s.i < len(s.stages) && s.j == len(s.stages[s.i].values) {
		s.i, s.j = s.i+1, 0
	}
	if s.i == len(s.stages) {
		return io.EOF
	}
	st := &s.stages[s.i]
	if s.j == 0 && st.before != nil {
		st.before()
	}
	*r = produce.Record{Value: []byte(st.values[s.j]), Partition: produce.AnyPartition,
		Pos: produce.Position{Index: int64(s.i*1000 + s.j)}}
	s.j++
	return nil
}

// TestIdempotentGoesOnAfterAnInDoubtBatch: an idempotent batch gets no
// answer before the delivery timeout (every attempt's request is lost:
// not written; or every answer is lost: written), so it fails in doubt;
// the later records of its partition are then all acked and written in
// order, under a new producer id (before, when the in-doubt batch was not
// written, the broker refused every later batch as out of order until it
// timed out too). The in-doubt record is reported in doubt, and is in the
// partition at most once.
func TestIdempotentGoesOnAfterAnInDoubtBatch(t *testing.T) {
	t.Parallel()
	for _, kind := range []chaos.Kind{chaos.DropRequest, chaos.DropResponse} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
			e := chaos.NewEngine(chaos.EngineOptions{Seed: 1})
			env := newEnv(t, 1)
			env.b, env.f = b, testutil.Factory(b)
			env.f.Dialer = chaos.NewDialer(e, chaos.DialerOptions{Timeout: 5 * time.Second})
			env.f.Tweak = func(c *sarama.Config) { c.Net.ReadTimeout = 300 * time.Millisecond }
			env.opts.Settings.Idempotent = true
			env.opts.Settings.Linger = 0
			env.opts.Settings.DeliveryTimeout = 1500 * time.Millisecond
			env.opts.FlushTimeout = 15 * time.Second
			var faultID string
			var rec *recorder
			failed := func() bool {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				return len(rec.failures) > 0
			}
			before, after := numberedValues("a", 10), numberedValues("c", 50)
			src := &stagedSource{stages: []stage{
				{values: before},
				{before: func() {
					waitFor(t, 10*time.Second, "the first records acked", func() bool { return ackCount(rec) == len(before) })
					id, err := e.Set(chaos.Fault{Kind: kind, APIs: []int16{0}, Probability: 1})
					if err != nil {
						t.Error(err)
					}
					faultID = id
				}, values: []string{"b"}},
				{before: func() {
					waitFor(t, 10*time.Second, "record b to fail", failed)
					if err := e.Clear(faultID); err != nil {
						t.Error(err)
					}
				}, values: after},
			}}
			rec = &recorder{}
			res, err := produce.Run(context.Background(), env.f, env.opts, src, rec)
			if res.Acked != int64(len(before)+len(after)) || res.InDoubt != 1 || res.Failed != 0 {
				for i, f := range rec.failures {
					if i < 3 {
						t.Logf("failure: %v", f.Err)
					}
				}
				t.Fatalf("%+v, %v; want %d acked and the one record of the lost request in doubt", res, err, len(before)+len(after))
			}
			rec.mu.Lock()
			f := rec.failures[0]
			rec.mu.Unlock()
			if !errors.Is(f.Err, produce.ErrInDoubt) || f.Pos.Index != 1000 {
				t.Errorf("failure %+v: want record b in doubt", f)
			}
			var got []string
			pids := map[string]int64{}
			for _, r := range readPartition(t, testutil.Factory(b), "t", 0) {
				got = append(got, string(r.Value))
				pids[string(r.Value)] = r.ProducerID
			}
			if pids[before[0]] == pids[after[0]] || pids[before[0]] != pids[before[len(before)-1]] || pids[after[0]] != pids[after[len(after)-1]] {
				t.Errorf("producer ids: %d before the batch in doubt, %d after; want one before, a new one after", pids[before[0]], pids[after[0]])
			}
			want := slices.Concat(before, after)
			if i := slices.Index(got, "b"); i >= 0 {
				if kind == chaos.DropRequest {
					t.Errorf("record b is in the partition though no request of it reached the broker")
				}
				got = slices.Delete(got, i, i+1)
			}
			if !slices.Equal(got, want) {
				t.Errorf("partition holds %d records besides b (%v ...), want %d in order", len(got), got[:min(3, len(got))], len(want))
			}
		})
	}
}

// numberedValues returns n values prefix000, prefix001, ...
func numberedValues(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// ackCount returns how many acks rec holds.
func ackCount(rec *recorder) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.acks)
}

// waitFor polls cond until it holds or timeout passes, which it reports
// with t.Error (it may run outside the test's goroutine).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out after %v waiting for %s", timeout, what)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdempotentFatesHoldUnderLostRequests: with one retry and a share of
// Produce requests lost (before the broker: not written) or their answers
// lost (written), batches fail, some in doubt, and their partitions
// restart under new producer ids. Whatever happened, each partition holds
// every acked record once, no failed one, each in doubt at most once, and
// its records in the order they were read.
func TestIdempotentFatesHoldUnderLostRequests(t *testing.T) {
	t.Parallel()
	const n, parts = 3000, 3
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": parts}})
	e := chaos.NewEngine(chaos.EngineOptions{Seed: 3})
	for _, k := range []chaos.Kind{chaos.DropRequest, chaos.DropResponse} {
		if _, err := e.Set(chaos.Fault{Kind: k, APIs: []int16{0}, Probability: 0.03}); err != nil {
			t.Fatal(err)
		}
	}
	env := newEnv(t, parts)
	env.b, env.f = b, testutil.Factory(b)
	env.f.Dialer = chaos.NewDialer(e, chaos.DialerOptions{Timeout: 5 * time.Second})
	env.f.Tweak = func(c *sarama.Config) { c.Net.ReadTimeout = 300 * time.Millisecond }
	env.opts.Settings.Idempotent = true
	env.opts.Settings.Retries = 1
	env.opts.Settings.MaxInFlight = 5
	env.opts.Settings.Linger = 0 // a batch per record: many requests
	env.opts.FlushTimeout = 30 * time.Second
	res, rec, _ := env.run(t, keyedSource(n, 30))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	inDoubt := 0
	fate := map[string]string{} // value -> acked, failed, in doubt
	for _, a := range rec.acks {
		fate[fmt.Sprint(a.Pos.Line-1)] = "acked"
	}
	for _, f := range rec.failures {
		if errors.Is(f.Err, produce.ErrInDoubt) {
			inDoubt++
			fate[fmt.Sprint(f.Pos.Line-1)] = "in doubt"
		} else {
			fate[fmt.Sprint(f.Pos.Line-1)] = "failed"
		}
	}
	if inDoubt == 0 {
		t.Fatalf("%+v: want some records in doubt (the test proves nothing otherwise)", res)
	}
	errs := map[string]int{}
	for _, f := range rec.failures {
		m := f.Err.Error()
		if i := strings.Index(m, " ("); i > 0 {
			m = m[:i]
		}
		errs[m]++
	}
	t.Logf("failures: %v", errs)
	seen := map[string]int{}
	at := map[string]*kgo.Record{}
	read := readInKeyOrder(t, testutil.Factory(b), parts, func(p int32, m *kgo.Record, i int) {
		seen[fmt.Sprint(i)]++
		at[fmt.Sprintf("%d/%d", p, m.Offset)] = m
	})
	acks := map[string]produce.Ack{}
	for _, a := range rec.acks {
		acks[fmt.Sprint(a.Pos.Line-1)] = a
	}
	for v, c := range seen {
		switch f := fate[v]; {
		case c > 1:
			t.Errorf("record %s (%s) is in the log %d times", v, f, c)
		case f == "failed":
			t.Errorf("record %s was reported failed, not written, but is in the log", v)
		}
	}
	for v, f := range fate {
		if f == "acked" && seen[v] == 0 {
			a := acks[v]
			m := at[fmt.Sprintf("%d/%d", a.Partition, a.Offset)]
			if m != nil {
				t.Errorf("record %s was acked (%d/%d) but is not in the log; there: %s pid %d seq %d", v, a.Partition, a.Offset, m.Value, m.ProducerID, m.ProducerEpoch)
			} else {
				t.Errorf("record %s was acked (%d/%d) but is not in the log", v, a.Partition, a.Offset)
			}
		}
	}
	t.Logf("%+v; %d records in the log", res, read)
}
