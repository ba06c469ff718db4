package produce_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

func TestRunRoundTripJSON(t *testing.T) {
	e := newEnv(t, 3)
	in := `{"key":"k1","value":"v1","headers":[{"key":"h","value":"x"},{"key":"n","value":null}]}
{"key":"k2","value":null}
{"key":null,"value":"no key","partition":2,"timestamp":1763884800000}
{"key":"3q2+7w==","key_encoding":"base64","value":"/w==","value_encoding":"base64"}
`
	res, rec, err := e.run(t, produce.NewJSONSource(strings.NewReader(in), produce.JSONConfig{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 4 || res.Acked != 4 || res.Failed != 0 || res.Partitions != 3 || len(rec.acks) != 4 {
		t.Fatalf("result %+v, %d acks", res, len(rec.acks))
	}
	byLine := map[int64]produce.Ack{}
	for _, a := range rec.acks {
		byLine[a.Pos.Line] = a
	}
	for line, key := range map[int64]string{1: "k1", 2: "k2", 4: "\xde\xad\xbe\xef"} {
		if want := produce.Murmur2Partition([]byte(key), 3); byLine[line].Partition != want {
			t.Errorf("line %d: partition %d, murmur2 says %d", line, byLine[line].Partition, want)
		}
	}
	if byLine[3].Partition != 2 {
		t.Errorf("line 3 went to partition %d, want 2", byLine[3].Partition)
	}
	for line, a := range byLine {
		msgs := readPartition(t, e.f, "t", a.Partition)
		var m *kgo.Record
		for _, x := range msgs {
			if x.Offset == a.Offset {
				m = x
			}
		}
		if m == nil {
			t.Fatalf("line %d: offset %d not in partition %d", line, a.Offset, a.Partition)
		}
		switch line {
		case 1:
			if string(m.Value) != "v1" || len(m.Headers) != 2 || string(m.Headers[0].Value) != "x" || m.Headers[1].Value != nil {
				t.Errorf("line 1 read back as %q %+v", m.Value, m.Headers)
			}
		case 2:
			if m.Value != nil || string(m.Key) != "k2" {
				t.Errorf("tombstone read back as key %q value %q", m.Key, m.Value)
			}
		case 3:
			if m.Key != nil || !m.Timestamp.Equal(time.UnixMilli(1763884800000)) || !a.Timestamp.Equal(m.Timestamp) {
				t.Errorf("line 3: key %q timestamp %v (ack %v)", m.Key, m.Timestamp, a.Timestamp)
			}
		case 4:
			if string(m.Value) != "\xff" {
				t.Errorf("binary value %q", m.Value)
			}
		}
	}
}

func TestRunManyRecordsInOrder(t *testing.T) {
	e := newEnv(t, 3)
	e.opts.Settings.BatchBytes = 4000 // many batches and requests
	const n = 5000
	res, rec, err := e.run(t, keyedSource(n, 7))
	if err != nil || res.Acked != n || len(rec.acks) != n {
		t.Fatalf("result %+v, %v", res, err)
	}
	if res.Bytes == 0 || res.Latency.P50 <= 0 || res.Latency.P99 < res.Latency.P50 || res.RecordsPerSec() <= 0 {
		t.Errorf("stats %+v", res)
	}
	total := readInKeyOrder(t, e.f, 3, func(p int32, m *kgo.Record, _ int) {
		if want := produce.Murmur2Partition(m.Key, 3); want != p {
			t.Fatalf("key %s in partition %d, murmur2 says %d", m.Key, p, want)
		}
	})
	if total != n {
		t.Errorf("read %d records, want %d", total, n)
	}
}

func TestRunUnknownTopicAndCreate(t *testing.T) {
	_, f := testutil.Cluster(t, &broker.Options{Nodes: 1, Partitions: 5})
	o := produce.Options{Topic: "fresh", Settings: produce.DefaultSettings()}
	_, err := produce.Run(context.Background(), f, o, lines("a\n"), nil)
	if !errors.Is(err, offsets.ErrTopicNotFound) || err.Error() != `topic "fresh" does not exist (use topic creation)` {
		t.Fatalf("error %v", err)
	}
	if kqerr.Code(err) != kqerr.CodeError {
		t.Errorf("exit code %d", kqerr.Code(err))
	}
	o.Create = true
	res, err := produce.Run(context.Background(), f, o, lines("a\nb\n"), nil)
	if err != nil || res.Acked != 2 || res.Partitions != 5 {
		t.Fatalf("with create: %+v %v", res, err)
	}
	res, err = produce.Run(context.Background(), f, o, lines("c\n"), nil) // exists now
	if err != nil || res.Acked != 1 {
		t.Fatalf("again: %+v %v", res, err)
	}
}

func TestRunBadJSONStopsInput(t *testing.T) {
	e := newEnv(t, 1)
	in := "{\"value\":\"1\"}\n{\"value\":\"2\"}\n{\"value\": oops}\n{\"value\":\"4\"}\n"
	res, rec, err := e.run(t, produce.NewJSONSource(strings.NewReader(in), produce.JSONConfig{}))
	var ie *produce.InputError
	if !errors.As(err, &ie) || ie.Pos.Line != 3 || kqerr.Code(err) != kqerr.CodeUsage || !strings.HasPrefix(err.Error(), "line 3: invalid JSON") {
		t.Fatalf("error %v", err)
	}
	if res.Acked != 2 || res.Sent != 2 || len(rec.acks) != 2 {
		t.Errorf("result %+v", res)
	}
	if got := len(readPartition(t, e.f, "t", 0)); got != 2 {
		t.Errorf("%d records in the topic, want the 2 before the bad line", got)
	}
}

func TestRunSkipBad(t *testing.T) {
	e := newEnv(t, 1)
	e.opts.SkipBad = true
	e.opts.Settings.MaxMessageBytes = 10
	in := "{\"value\":\"1\"}\nnope\n{\"value\":\"this one is too long\"}\n{\"value\":\"4\"}\n"
	res, rec, err := e.run(t, produce.NewJSONSource(strings.NewReader(in), produce.JSONConfig{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 2 || res.Skipped != 2 || len(rec.skipped) != 2 {
		t.Fatalf("result %+v, skipped %v", res, rec.skipped)
	}
	if rec.skipped[0].Pos.Line != 2 || !strings.Contains(rec.skipped[1].Error(), "line 3: record too large: 20 bytes, more than max message bytes 10") {
		t.Errorf("skipped %v", rec.skipped)
	}
}

func TestRunOversizedAndOutOfRange(t *testing.T) {
	e := newEnv(t, 2)
	e.opts.Settings.MaxMessageBytes = 5
	_, rec, err := e.run(t, lines("ok\ntoo long\nafter\n"))
	if kqerr.Code(err) != kqerr.CodeUsage || !strings.Contains(err.Error(), "line 2: record too large: 8 bytes") || len(rec.acks) != 1 {
		t.Errorf("oversized: %v, %d acks", err, len(rec.acks))
	}
	e.opts.Settings.MaxMessageBytes = 100
	in := "{\"value\":\"a\",\"partition\":1}\n{\"value\":\"b\",\"partition\":2}\n"
	_, rec, err = e.run(t, produce.NewJSONSource(strings.NewReader(in), produce.JSONConfig{}))
	if kqerr.Code(err) != kqerr.CodeUsage || !strings.Contains(err.Error(), "line 2: partition 2 does not exist: the topic has 2") || len(rec.acks) != 1 {
		t.Errorf("partition out of range: %v, %d acks", err, len(rec.acks))
	}
}

func TestRunAcksZero(t *testing.T) {
	e := newEnv(t, 1)
	e.opts.Settings.Acks = setting.AcksNone
	res, rec, err := e.run(t, lines(numbered(50)))
	if err != nil || res.Acked != 50 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, a := range rec.acks {
		if a.Offset != -1 {
			t.Fatalf("ack with offset %d under acks=0", a.Offset)
		}
	}
	testutil.Eventually(t, 5*time.Second, "50 records in the log", func() bool {
		_, high, _, err := e.b.PartitionOffsets("t", 0)
		return err == nil && high == 50
	})
}

func TestRunRetriesRetriableErrors(t *testing.T) {
	e := newEnv(t, 1)
	if err := e.b.FailRequests(0, 3, int16(sarama.ErrNotLeaderForPartition)); err != nil {
		t.Fatal(err)
	}
	res, rec, err := e.run(t, lines(numbered(20)))
	if err != nil || res.Acked != 20 || len(rec.failures) != 0 {
		t.Fatalf("%+v %v %v", res, err, rec.failures)
	}
	msgs := readPartition(t, e.f, "t", 0)
	if len(msgs) != 20 || string(msgs[19].Value) != "v19" {
		t.Errorf("%d records read back", len(msgs))
	}
}

func TestRunReportsFailures(t *testing.T) {
	e := newEnv(t, 1)
	e.opts.Settings.Linger = 0 // one record per batch: only the first fails
	if err := e.b.FailRequests(0, 1, int16(sarama.ErrMessageSizeTooLarge)); err != nil {
		t.Fatal(err)
	}
	res, rec, err := e.run(t, lines("first\nsecond\nthird\n"))
	if !errors.Is(err, produce.ErrNotDelivered) || kqerr.Code(err) != kqerr.CodeError {
		t.Fatalf("error %v", err)
	}
	if res.Failed != 1 || res.Acked != 2 || len(rec.failures) != 1 {
		t.Fatalf("result %+v", res)
	}
	f := rec.failures[0]
	if f.Pos.Line != 1 || f.Partition != 0 || !errors.Is(f.Err, sarama.ErrMessageSizeTooLarge) {
		t.Errorf("failure %+v", f)
	}
	if !strings.Contains(err.Error(), "1 of 3 records failed") {
		t.Errorf("message %q", err)
	}
}

func TestRunInterrupted(t *testing.T) {
	e := newEnv(t, 3)
	src := &blockingSource{n: 100, unblock: make(chan struct{})}
	defer close(src.unblock)
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		testutil.Eventually(t, 10*time.Second, "100 acks", func() bool {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			return len(rec.acks) == 100
		})
		cancel()
	}()
	res, err := produce.Run(ctx, e.f, e.opts, src, rec)
	if !errors.Is(err, kqerr.ErrInterrupted) || kqerr.Code(err) != kqerr.CodeInterrupted {
		t.Fatalf("error %v", err)
	}
	if res.Sent != 100 || res.Acked != 100 || res.Failed != 0 {
		t.Errorf("result %+v", res)
	}
}

func TestRunInterruptFlushesWhatWasRead(t *testing.T) {
	e := newEnv(t, 1)
	e.opts.Settings.Linger = time.Hour // only the flush sends anything
	src := &blockingSource{n: 10, unblock: make(chan struct{})}
	defer close(src.unblock)
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{}
	done := make(chan struct{})
	var res produce.Result
	var err error
	go func() {
		defer close(done)
		res, err = produce.Run(ctx, e.f, e.opts, src, rec)
	}()
	testutil.Eventually(t, 10*time.Second, "the source to block", func() bool { return src.blocked() })
	cancel()
	<-done
	if !errors.Is(err, kqerr.ErrInterrupted) || res.Acked != 10 || len(rec.acks) != 10 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestRunFlushTimeoutLeavesRecordsInDoubt(t *testing.T) {
	e := newEnv(t, 1)
	stop := e.b.DelayRequests(0, 20*time.Second)
	defer stop()
	e.opts.FlushTimeout = 300 * time.Millisecond
	start := time.Now()
	res, rec, err := e.run(t, lines(numbered(5)))
	if !errors.Is(err, produce.ErrNotDelivered) || res.InDoubt != 5 || res.Acked != 0 || len(rec.failures) != 5 {
		t.Fatalf("%+v %v", res, err)
	}
	if !errors.Is(rec.failures[0].Err, produce.ErrInDoubt) {
		t.Errorf("failure %v", rec.failures[0].Err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Run took %v with a 300ms flush timeout", d)
	}
}

func TestRunBatchesAtTheBrokerLimit(t *testing.T) {
	e := newEnv(t, 1)
	// kfake refuses batches over message.max.bytes (1048588): a batch size
	// estimate that is short by even a byte per record fails here.
	e.opts.Settings.BatchBytes = 1048588
	e.opts.Settings.MaxMessageBytes = 1048588
	src := produce.NewGenerator(produce.GenConfig{Count: 3000, Size: 997})
	res, _, err := e.run(t, src)
	if err != nil || res.Acked != 3000 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestRunCompressionCodecs(t *testing.T) {
	e := newEnv(t, 1)
	for _, name := range []string{"gzip", "snappy", "lz4", "zstd"} {
		codec, err := produce.ParseCompression(name)
		if err != nil {
			t.Fatal(err)
		}
		e.opts.Settings.Compression = codec
		res, _, err := e.run(t, lines(name+"-1\n"+name+"-2\n"))
		if err != nil || res.Acked != 2 {
			t.Fatalf("%s: %+v %v", name, res, err)
		}
	}
	var got []string
	for _, m := range readPartition(t, e.f, "t", 0) {
		got = append(got, string(m.Value))
	}
	if strings.Join(got, ",") != "gzip-1,gzip-2,snappy-1,snappy-2,lz4-1,lz4-2,zstd-1,zstd-2" {
		t.Errorf("read back %v", got)
	}
}

func TestRunPartitioners(t *testing.T) {
	e := newEnv(t, 4)
	count := func(acks []produce.Ack) map[int32]int {
		m := map[int32]int{}
		for _, a := range acks {
			m[a.Partition]++
		}
		return m
	}
	e.opts.Settings.Partitioner = produce.PartitionRoundRobin
	_, rec, err := e.run(t, lines(numbered(40)))
	if c := count(rec.acks); err != nil || len(c) != 4 || c[0] != 10 || c[3] != 10 {
		t.Errorf("roundrobin: %v %v", c, err)
	}
	e.opts.Settings.Partitioner = produce.PartitionHash
	src := produce.NewLineSource(strings.NewReader("key-a:1\nkey-b:2\n"), produce.LineConfig{KeyDelimiter: []byte(":")})
	_, rec, err = e.run(t, src)
	if err != nil {
		t.Fatal(err)
	}
	hp := sarama.NewHashPartitioner("t")
	for i, key := range []string{"key-a", "key-b"} {
		want, _ := hp.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, 4)
		if rec.acks[i].Partition != want && rec.acks[1-i].Partition != want {
			t.Errorf("hash: %s not on sarama's partition %d: %+v", key, want, rec.acks)
		}
	}
	e.opts.Settings.Partitioner = produce.PartitionMurmur2
	_, rec, err = e.run(t, lines(numbered(30)))
	if c := count(rec.acks); err != nil || len(c) != 1 {
		t.Errorf("murmur2 without keys should stick to one partition per batch: %v %v", c, err)
	}
}

func TestRunIdempotent(t *testing.T) {
	e := newEnv(t, 2)
	e.opts.Settings.Idempotent = true
	src := produce.NewLineSource(strings.NewReader(numbered(200)), produce.LineConfig{
		Template: produce.Template{Headers: []produce.Header{{Key: []byte("h"), Value: []byte("1")}}},
	})
	res, rec, err := e.run(t, src)
	if err != nil || res.Acked != 200 || len(rec.acks) != 200 {
		t.Fatalf("%+v %v %v", res, err, rec.failures[:min(1, len(rec.failures))])
	}
	total := 0
	for p := range int32(2) {
		for _, m := range readPartition(t, e.f, "t", p) {
			total++
			if len(m.Headers) != 1 || m.Headers[0].Key != "h" {
				t.Fatalf("headers %+v", m.Headers)
			}
		}
	}
	if total != 200 {
		t.Errorf("%d records read back", total)
	}
}

func TestRunUnreachable(t *testing.T) {
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{"127.0.0.1:1"}, Timeout: time.Second}}
	start := time.Now()
	_, err := produce.Run(context.Background(), f, produce.Options{Topic: "t", Settings: produce.DefaultSettings()}, lines("a\n"), nil)
	if kqerr.Code(err) != kqerr.CodeUnreachable {
		t.Fatalf("error %v (code %d)", err, kqerr.Code(err))
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d)
	}
}

// hookSource yields values v0, v1, ... up to n, calling hook (once) before
// record at.
type hookSource struct {
	n, at, i int
	hook     func()
}

func (s *hookSource) Next(r *produce.Record) error {
	if s.i == s.n {
		return io.EOF
	}
	if s.i == s.at {
		s.hook()
	}
	*r = produce.Record{Value: []byte(fmt.Sprintf("v%d", s.i)), Partition: 0, Pos: produce.Position{Index: int64(s.i + 1)}}
	s.i++
	return nil
}

// TestRunSurvivesLeaderLoss stops the leader of the partition in the
// middle: the producer finds the new leader and loses nothing.
func TestRunSurvivesLeaderLoss(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.Settings.Linger = time.Millisecond
	rec := &recorder{}
	src := &hookSource{n: 400, at: 200, hook: func() {
		testutil.Eventually(t, 10*time.Second, "the first 200 acks", func() bool {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			return len(rec.acks) == 200
		})
		if err := e.b.StopNode(e.b.Leader("t", 0)); err != nil {
			t.Error(err)
		}
	}}
	res, err := produce.Run(context.Background(), e.f, e.opts, src, rec)
	if err != nil || res.Acked != 400 || res.Failed != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	got := readThroughEnd(t, e.f, "t", 1, false)
	if len(got) != 400 || got[0] != "v0" || got[399] != "v399" {
		t.Errorf("read back %d records", len(got))
	}
}

// TestRunRateLimit: at one record per 100 s, the second record waits for
// its turn, and an interrupt ends the wait.
func TestRunRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.Rate = 0.01
	e.opts.Settings.Linger = time.Millisecond
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		testutil.Eventually(t, 10*time.Second, "the first ack", func() bool {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			return len(rec.acks) == 1
		})
		cancel()
	}()
	res, err := produce.Run(ctx, e.f, e.opts, lines(numbered(5)), rec)
	if !errors.Is(err, kqerr.ErrInterrupted) || res.Sent != 1 || res.Acked != 1 {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestRunLocalSizeErrorNotRetried checks that a request sarama refuses to
// encode (over its MaxRequestSize) fails at once instead of being retried
// for the whole delivery timeout (issue 12).
func TestRunLocalSizeErrorNotRetried(t *testing.T) {
	e := newEnv(t, 1)
	old := sarama.MaxRequestSize
	sarama.MaxRequestSize = 64 << 10
	t.Cleanup(func() { sarama.MaxRequestSize = old })
	e.opts.Settings.BatchBytes, e.opts.Settings.MaxMessageBytes = 200<<10, 200<<10
	e.opts.Settings.DeliveryTimeout = time.Minute
	res, rec, err := e.run(t, produce.NewGenerator(produce.GenConfig{Count: 1, Size: 100 << 10}))
	if !errors.Is(err, produce.ErrNotDelivered) || res.Failed != 1 || len(rec.failures) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	var local sarama.PacketEncodingError
	if f := rec.failures[0].Err; !errors.As(f, &local) || strings.Contains(f.Error(), "attempts") {
		t.Fatalf("failure %v: want sarama's encoding error, not retried", f)
	}
}

// TestRunInterruptWithSlowBrokerEndsOnTime interrupts a run whose broker
// answers each produce after a second, with hundreds of batches queued
// (issue 12: the exit took minutes, one slow request at a time). The
// flush timeout bounds the exit; what was acked is reported exactly.
func TestRunInterruptWithSlowBrokerEndsOnTime(t *testing.T) {
	e := newEnv(t, 1)
	stop := e.b.DelayRequests(0, time.Second)
	defer stop()
	e.opts.Settings.Linger = 0 // a batch per record: hundreds of requests queued
	e.opts.FlushTimeout = 1500 * time.Millisecond
	src := &blockingSource{n: 300, unblock: make(chan struct{})}
	defer close(src.unblock)
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		testutil.Eventually(t, 20*time.Second, "the source to block", src.blocked)
		cancel() // Ctrl-C
	}()
	start := time.Now()
	res, err := produce.Run(ctx, e.f, e.opts, src, rec)
	took := time.Since(start)
	if !errors.Is(err, kqerr.ErrInterrupted) || res.Sent != 300 || res.Acked+res.InDoubt+res.Failed != 300 || res.InDoubt == 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if took > 60*time.Second {
		t.Errorf("Run took %v with a %v flush timeout", took, e.opts.FlushTimeout)
	}
	rec.mu.Lock()
	acked := map[int64]bool{}
	for _, a := range rec.acks {
		acked[a.Offset] = true
	}
	rec.mu.Unlock()
	if len(acked) != int(res.Acked) {
		t.Fatalf("%d distinct acked offsets reported, result says %d", len(acked), res.Acked)
	}
	stop()
	for _, r := range readPartition(t, e.f, "t", 0) {
		delete(acked, r.Offset)
	}
	if len(acked) != 0 {
		t.Fatalf("%d records reported acked are not in the partition", len(acked))
	}
}

// TestRunKeyedBackPressureReplicatingBroker produces keyed records through a
// small buffer to a broker that answers acks=all only after its replica
// lag: batches then wait for earlier ones of their partition (and the
// buffer for answers). Every record must be acked exactly once, at the
// offset where it was written, in key order.
func TestRunKeyedBackPressureReplicatingBroker(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"t": 3}, ReplicaLag: 20 * time.Millisecond})
	e := &env{b: b, f: testutil.Factory(b), opts: produce.Options{Topic: "t", Settings: produce.DefaultSettings(), FlushTimeout: 30 * time.Second}}
	e.opts.Settings.BufferBytes, e.opts.Settings.BatchBytes = 32<<10, 8<<10
	const n = 6000
	res, rec, err := e.run(t, keyedSource(n, 11))
	if err != nil || res.Acked != n || len(rec.acks) != n {
		t.Fatalf("result %+v, %v", res, err)
	}
	at := map[[2]int64]int64{} // partition, offset -> input line
	for _, a := range rec.acks {
		k := [2]int64{int64(a.Partition), a.Offset}
		if _, dup := at[k]; dup {
			t.Fatalf("two acks for partition %d offset %d", a.Partition, a.Offset)
		}
		at[k] = a.Pos.Line
	}
	read := readInKeyOrder(t, e.f, 3, func(p int32, m *kgo.Record, i int) {
		if line, ok := at[[2]int64{int64(p), m.Offset}]; !ok || line != int64(i+1) {
			t.Fatalf("partition %d offset %d holds record %d, acked for line %d (%v)", p, m.Offset, i, line, ok)
		}
	})
	if read != n {
		t.Errorf("read %d records, want %d", read, n)
	}
}
