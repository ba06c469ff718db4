package produce_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

// recorder is a Reporter that keeps everything.
type recorder struct {
	mu       sync.Mutex
	acks     []produce.Ack
	failures []produce.Failure
	skipped  []*produce.InputError
}

func (r *recorder) Acked(a produce.Ack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, a)
}

func (r *recorder) Failed(f produce.Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, f)
}

func (r *recorder) Skipped(e *produce.InputError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped = append(r.skipped, e)
}

// env is a broker, a factory for it and default options for topic t.
type env struct {
	b    *broker.Broker
	f    conn.Factory
	opts produce.Options
}

func newEnv(t *testing.T, parts int32) *env {
	t.Helper()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"t": parts}})
	o := produce.Options{Topic: "t", Settings: produce.DefaultSettings(), FlushTimeout: 5 * time.Second}
	o.Settings.DeliveryTimeout = 10 * time.Second
	return &env{b: b, f: testutil.Factory(b), opts: o}
}

// run produces src with the env's options.
func (e *env) run(t *testing.T, src produce.Source) (produce.Result, *recorder, error) {
	t.Helper()
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := produce.Run(ctx, e.f, e.opts, src, rec)
	if res.Sent != res.Acked+res.Failed+res.InDoubt {
		t.Errorf("sent %d, but acked %d + failed %d + in doubt %d", res.Sent, res.Acked, res.Failed, res.InDoubt)
	}
	if n := int64(len(rec.acks) + len(rec.failures)); n != res.Sent {
		t.Errorf("%d records reported, %d sent", n, res.Sent)
	}
	return res, rec, err
}

func lines(s string) produce.Source {
	return produce.NewLineSource(strings.NewReader(s), produce.LineConfig{})
}

func numbered(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "v%d\n", i)
	}
	return b.String()
}

// readPartition reads partition p of topic from the start to the high
// watermark (read_uncommitted; no transaction markers expected).
func readPartition(t *testing.T, f conn.Factory, topic string, p int32) []*kgo.Record {
	t.Helper()
	client, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hwm, err := client.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	if hwm == 0 {
		return nil
	}
	return fetch(t, f, topic, p, kgo.ReadUncommitted(), func(r *kgo.Record) bool { return r.Offset >= hwm-1 })
}

// fetch reads partition p from the start until stop says so, within 20s.
// It reads with franz-go's client: sarama's consumer cannot decode the
// built-in broker's transaction markers.
func fetch(t *testing.T, f conn.Factory, topic string, p int32, iso kgo.IsolationLevel, stop func(*kgo.Record) bool) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(f.Profile.Brokers...), kgo.FetchIsolationLevel(iso),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {p: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*kgo.Record
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %s/%d: timed out after %d records", topic, p, len(out))
		}
		for _, e := range fs.Errors() {
			t.Fatalf("read %s/%d: %v", topic, p, e.Err)
		}
		for it := fs.RecordIter(); !it.Done(); {
			r := it.Next()
			out = append(out, r)
			if stop(r) {
				return out
			}
		}
	}
}

// readThroughEnd appends an "END" record (outside any transaction) to
// every partition and reads each up to it, with read_committed isolation
// or not; it returns the values before the END records.
func readThroughEnd(t *testing.T, f conn.Factory, topic string, parts int32, committed bool) []string {
	t.Helper()
	ends := make([]*sarama.ProducerMessage, parts)
	for part := range parts {
		ends[part] = testutil.Msg(topic, part, "", "END")
	}
	testutil.Produce(t, f, ends...)
	iso := kgo.ReadUncommitted()
	if committed {
		iso = kgo.ReadCommitted()
	}
	var out []string
	for part := range parts {
		recs := fetch(t, f, topic, part, iso, func(r *kgo.Record) bool { return string(r.Value) == "END" })
		for _, r := range recs[:len(recs)-1] {
			out = append(out, string(r.Value))
		}
	}
	return out
}

// blockingSource yields n records, then blocks until unblock is closed.
type blockingSource struct {
	n       int
	i       int
	unblock chan struct{}
	waiting atomic.Bool
}

// blocked reports whether the source is waiting to be unblocked.
func (s *blockingSource) blocked() bool { return s.waiting.Load() }

func (s *blockingSource) Next(r *produce.Record) error {
	if s.i == s.n {
		s.waiting.Store(true)
		<-s.unblock
		return fmt.Errorf("unblocked")
	}
	s.i++
	*r = produce.Record{Value: []byte(fmt.Sprintf("b%d", s.i)), Partition: produce.AnyPartition, Pos: produce.Position{Index: int64(s.i)}}
	return nil
}

// keyedSource returns n lines "k<i mod keys>:<i>", read with ':' as the
// key delimiter.
func keyedSource(n, keys int) produce.Source {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d:%d\n", i%keys, i)
	}
	return produce.NewLineSource(strings.NewReader(b.String()), produce.LineConfig{KeyDelimiter: []byte(":")})
}

// readInKeyOrder reads partitions 0..parts-1 of topic "t", fails unless
// every key's values (the i of keyedSource) ascend within its partition,
// calls each for every record and returns how many it read.
func readInKeyOrder(t *testing.T, f conn.Factory, parts int32, each func(p int32, m *kgo.Record, i int)) int {
	t.Helper()
	read := 0
	for p := range parts {
		last := map[string]int{}
		for _, m := range readPartition(t, f, "t", p) {
			read++
			var i int
			fmt.Sscan(string(m.Value), &i)
			each(p, m, i)
			if prev, ok := last[string(m.Key)]; ok && i <= prev {
				t.Fatalf("partition %d: %d after %d for key %s", p, i, prev, m.Key)
			}
			last[string(m.Key)] = i
		}
	}
	return read
}
