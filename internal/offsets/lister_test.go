package offsets_test

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
)

// lister starts a one-node broker with topics and returns a Lister on it.
func lister(t *testing.T, topics map[string]int32) (offsets.Lister, *broker.Broker) {
	t.Helper()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: topics})
	f := testutil.Factory(b)
	c, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	a, err := sarama.NewClusterAdminFromClient(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return offsets.Lister{Client: c, Admin: a, Classify: f.Classify}, b
}

func TestRequireAndPartitions(t *testing.T) {
	l, _ := lister(t, map[string]int32{"a": 3, "b": 1})
	tps, err := l.Require([]string{"b", "a"}, nil)
	want := []offsets.TopicPartition{{Topic: "b", Partition: 0}, {Topic: "a", Partition: 0}, {Topic: "a", Partition: 1}, {Topic: "a", Partition: 2}}
	if err != nil || len(tps) != len(want) {
		t.Fatalf("Require = %v, %v; want %v", tps, err, want)
	}
	for i := range want {
		if tps[i] != want[i] {
			t.Errorf("Require[%d] = %v, want %v", i, tps[i], want[i])
		}
	}
	_, err = l.Require([]string{"a", "nope"}, nil)
	if !errors.Is(err, offsets.ErrTopicNotFound) || err.Error() != "topic nope does not exist" {
		t.Errorf("missing topic: %v", err)
	}
	if _, err := l.Require([]string{"a"}, []int32{7}); err == nil || err.Error() != "topic a has no partition 7 (it has 3 partitions)" {
		t.Errorf("missing partition: %v", err)
	}
	parts, err := l.Partitions([]string{"a", "nope"})
	if err != nil || len(parts) != 1 || len(parts["a"]) != 3 {
		t.Errorf("Partitions = %v, %v; want only a's three", parts, err)
	}
	got, err := l.Existing([]offsets.TopicPartition{{Topic: "a", Partition: 2}, {Topic: "a", Partition: 9}, {Topic: "nope"}})
	if err != nil || len(got) != 1 || got[0] != (offsets.TopicPartition{Topic: "a", Partition: 2}) {
		t.Errorf("Existing = %v, %v", got, err)
	}
}

func TestListAndWatermarks(t *testing.T) {
	l, b := lister(t, map[string]int32{"t": 1})
	f := testutil.Factory(b)
	base := time.UnixMilli(1_700_000_000_000)
	msgs := testutil.MsgsApart("t", 0, 4, base, time.Minute)
	testutil.Produce(t, f, msgs...)
	testutil.OpenTxn(t, f, "open", testutil.Msg("t", 0, "", "pending"))
	tp := offsets.TopicPartition{Topic: "t", Partition: 0}
	w, err := l.Watermarks([]offsets.TopicPartition{tp, {Topic: "nope"}})
	if err != nil || len(w) != 1 {
		t.Fatalf("Watermarks = %v, %v", w, err)
	}
	if got := w[tp]; got.LogStart != 0 || got.LogEnd != 5 || got.LastStable != 4 {
		t.Errorf("watermarks %+v, want start 0, end 5, last stable 4 (a transaction is open at 4)", got)
	}
	end, err := l.List([]offsets.TopicPartition{tp}, sarama.OffsetNewest, setting.ReadCommitted)
	if err != nil || end[tp] != 4 {
		t.Errorf("end read_committed = %v, %v; want 4", end, err)
	}
	at, err := l.List([]offsets.TopicPartition{tp}, base.Add(time.Minute).UnixMilli(), setting.ReadUncommitted)
	if err != nil || at[tp] != 1 {
		t.Errorf("offset at the second record's time = %v, %v; want 1", at, err)
	}
	late, err := l.List([]offsets.TopicPartition{tp}, time.Now().Add(time.Hour).UnixMilli(), setting.ReadUncommitted)
	if err != nil || late[tp] != offsets.NoOffset {
		t.Errorf("offset after the last record's time = %v, %v; want none", late, err)
	}
}

func TestListRetriesPartitionErrors(t *testing.T) {
	l, b := lister(t, map[string]int32{"t": 1})
	tp := offsets.TopicPartition{Topic: "t", Partition: 0}
	if err := b.FailRequests(int16(kmsg.ListOffsets), 2, int16(sarama.ErrNotLeaderForPartition)); err != nil {
		t.Fatal(err)
	}
	if got, err := l.List([]offsets.TopicPartition{tp}, sarama.OffsetNewest, setting.ReadUncommitted); err != nil || got[tp] != 0 {
		t.Errorf("after two failed rounds: %v, %v; want offset 0", got, err)
	}
	if err := b.FailRequests(int16(kmsg.ListOffsets), 10, int16(sarama.ErrNotLeaderForPartition)); err != nil {
		t.Fatal(err)
	}
	_, err := l.List([]offsets.TopicPartition{tp}, sarama.OffsetNewest, setting.ReadUncommitted)
	if !errors.Is(err, sarama.ErrNotLeaderForPartition) || err.Error() != "list offsets of t/0: "+sarama.ErrNotLeaderForPartition.Error() {
		t.Errorf("past the attempts: %v", err)
	}
}

// TestLeader: one partition's offsets through the client alone, and the
// one "topic not found" error for a topic the cluster does not know.
func TestLeader(t *testing.T) {
	l, b := lister(t, map[string]int32{"a": 1})
	testutil.ProduceBatch(t, testutil.Factory(b), testutil.Msg("a", 0, "", "x"), testutil.Msg("a", 0, "", "y"))
	tp := offsets.TopicPartition{Topic: "a", Partition: 0}
	start, err := offsets.Leader(l.Client, tp, sarama.OffsetOldest)
	if err != nil || start != 0 {
		t.Errorf("log start = %d, %v; want 0", start, err)
	}
	if end, err := offsets.Leader(l.Client, tp, sarama.OffsetNewest); err != nil || end != 2 {
		t.Errorf("log end = %d, %v; want 2", end, err)
	}
	_, err = offsets.Leader(l.Client, offsets.TopicPartition{Topic: "nope"}, sarama.OffsetOldest)
	if !errors.Is(err, offsets.ErrTopicNotFound) || !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("unknown topic: %v, want ErrTopicNotFound", err)
	}
}

// TestForTimeAnswersTheRecord: three records a minute apart in one batch,
// then an aborted transaction and a committed record. The broker answers
// a time with the record itself, as Kafka does (kfake alone answers with
// the first offset of the batch; the built-in broker corrects it), and a
// time lookup does not skip aborted records under either isolation, as
// Kafka's does not (a read_committed reader skips them as it reads).
func TestForTimeAnswersTheRecord(t *testing.T) {
	l, b := lister(t, map[string]int32{"t": 1})
	f := testutil.Factory(b)
	base := time.UnixMilli(1_700_000_000_000)
	msgs := testutil.MsgsApart("t", 0, 3, base, time.Minute)
	testutil.ProduceBatch(t, f, msgs...)                                       // offsets 0-2, one batch
	testutil.ProduceTxn(t, f, "x", false, testutil.Msg("t", 0, "", "aborted")) // 3, marker 4
	testutil.Produce(t, f, testutil.Msg("t", 0, "", "after"))                  // 5
	tp := offsets.TopicPartition{Topic: "t", Partition: 0}
	for _, c := range []struct {
		name string
		ms   int64
		iso  setting.Isolation
		want offsets.Offset
	}{
		{"inside the batch", base.Add(90 * time.Second).UnixMilli(), setting.ReadUncommitted, 2},
		{"the batch's own first", base.UnixMilli(), setting.ReadUncommitted, 0},
		{"recent, read_uncommitted", time.Now().Add(-time.Hour).UnixMilli(), setting.ReadUncommitted, 3},
		{"recent, read_committed", time.Now().Add(-time.Hour).UnixMilli(), setting.ReadCommitted, 3},
		{"after everything", time.Now().Add(time.Hour).UnixMilli(), setting.ReadUncommitted, offsets.NoOffset},
	} {
		got, err := l.ForTime([]offsets.TopicPartition{tp}, c.ms, c.iso)
		if err != nil || got[tp] != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}
