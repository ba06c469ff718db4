package groups

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

func groupNames(ss []Summary) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.Group)
	}
	return out
}

func TestList(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 2, "u": 1})
	produce(t, f, "t", 0, 5, nil)
	produce(t, f, "u", 0, 3, nil)
	seedCommits(t, f, "idle", map[offsets.TopicPartition]int64{tp0: 1, {Topic: "u", Partition: 0}: 3})
	joinGroup(t, f, c, "live", "u")
	ctx := context.Background()

	all, err := c.List(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := groupNames(all); !reflect.DeepEqual(got, []string{"idle", "live"}) {
		t.Fatalf("groups = %v", got)
	}
	idle, live := all[0], all[1]
	if idle.State != StateEmpty || idle.Members != 0 || idle.TotalLag != 4 || !reflect.DeepEqual(idle.Topics, []string{"t", "u"}) {
		t.Errorf("idle = %+v, want Empty, 0 members, lag 4, topics t,u", idle)
	}
	if live.State != StateStable || live.Members != 1 || live.TotalLag != 3 || !reflect.DeepEqual(live.Topics, []string{"u"}) || live.ProtocolType != "consumer" {
		t.Errorf("live = %+v, want Stable, 1 member, lag 3 from log start, topic u", live)
	}

	filters := []struct {
		opts ListOptions
		want []string
	}{
		{ListOptions{States: []string{StateStable}}, []string{"live"}},
		{ListOptions{States: []string{StateEmpty, StateStable}}, []string{"idle", "live"}},
		{ListOptions{Topic: "t"}, []string{"idle"}},
		{ListOptions{Topic: "u", States: []string{StateEmpty}}, []string{"idle"}},
		{ListOptions{Topic: "none"}, []string{}},
	}
	for _, fl := range filters {
		got, err := c.List(ctx, fl.opts)
		if err != nil || !reflect.DeepEqual(groupNames(got), fl.want) {
			t.Errorf("List(%+v) = %v, %v; want %v", fl.opts, groupNames(got), err, fl.want)
		}
	}
}

func TestListNoGroups(t *testing.T) {
	c, _, _ := setup(t, map[string]int32{"t": 1})
	got, err := c.List(context.Background(), ListOptions{})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("List = %#v, %v; want an empty list", got, err)
	}
}

func TestDeleteGroups(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	seedCommits(t, f, "old", map[offsets.TopicPartition]int64{tp0: 0})
	joinGroup(t, f, c, "live", "t")
	res, err := c.DeleteGroups(context.Background(), []string{"old", "nope", "live"})
	if !errors.Is(err, ErrGroupNotFound) || !errors.Is(err, ErrActiveMembers) {
		t.Errorf("error = %v, want not found and active members", err)
	}
	want := []DeleteResult{
		{Group: "old", Deleted: true},
		{Group: "nope", Error: "group nope does not exist"},
		{Group: "live", Error: "group live has active members; stop them first"},
	}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("results = %+v, want %+v", res, want)
	}
	if _, err := c.Describe(context.Background(), []string{"old"}, DescribeOptions{}); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("describe deleted group: %v", err)
	}
}

func TestDeleteOffsets(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 3, "u": 1})
	u0 := offsets.TopicPartition{Topic: "u", Partition: 0}
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 1, tp1: 1, tp2: 1, u0: 1})
	ctx := context.Background()
	done, err := c.DeleteOffsets(ctx, "g", TopicScope{Topic: "t", Partitions: []int32{1}})
	if err != nil || !reflect.DeepEqual(done, []offsets.TopicPartition{tp1}) {
		t.Fatalf("delete t:1 = %v, %v", done, err)
	}
	if got := committedOffsets(t, c, "g"); !reflect.DeepEqual(got, map[offsets.TopicPartition]offsets.Offset{tp0: 1, tp2: 1, u0: 1}) {
		t.Errorf("after deleting t:1: %v", got)
	}
	done, err = c.DeleteOffsets(ctx, "g", TopicScope{Topic: "t"})
	if err != nil || !reflect.DeepEqual(done, []offsets.TopicPartition{tp0, tp2}) {
		t.Fatalf("delete t = %v, %v", done, err)
	}
	if got := committedOffsets(t, c, "g"); !reflect.DeepEqual(got, map[offsets.TopicPartition]offsets.Offset{u0: 1}) {
		t.Errorf("after deleting t: %v", got)
	}
	if _, err := c.DeleteOffsets(ctx, "g", TopicScope{Topic: "t"}); err == nil || !strings.Contains(err.Error(), "no committed offsets for topic t") {
		t.Errorf("delete again: %v", err)
	}
	if _, err := c.DeleteOffsets(ctx, "nope", TopicScope{Topic: "t"}); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("unknown group: %v", err)
	}
}

func TestDeleteOffsetsRefusedWhileConsumed(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	seedCommits(t, f, "live", map[offsets.TopicPartition]int64{tp0: 0})
	joinGroup(t, f, c, "live", "t")
	_, err := c.DeleteOffsets(context.Background(), "live", TopicScope{Topic: "t"})
	if !errors.Is(err, ErrActiveMembers) {
		t.Errorf("delete offsets of a consumed topic: %v, want active members", err)
	}
}

func TestTopicOffsets(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 2})
	base := time.UnixMilli(1_700_000_000_000)
	produce(t, f, "t", 0, 6, func(i int) time.Time { return base.Add(time.Duration(i) * time.Second) })
	tx := newTxnProducer(t, f, "tx-o")
	tx.txn("t", 1, 2, true, false)
	tx.txn("t", 1, 1, false, true)
	a, err := f.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DeleteRecords("t", map[int32]int64{0: 1}); err != nil {
		t.Fatal(err)
	}
	at := base.Add(2500 * time.Millisecond)
	got, err := c.TopicOffsets(context.Background(), "t", &at)
	if err != nil {
		t.Fatal(err)
	}
	zero, three := offsets.Offset(0), offsets.Offset(3)
	want := []PartitionOffsets{
		{Partition: 0, Earliest: 1, Latest: 6, LastStable: 6, Offsets: 5, AtTime: &three},
		{Partition: 1, Earliest: 0, Latest: 4, LastStable: 3, Offsets: 4, AtTime: &zero}, // stamped now
	}
	if !reflect.DeepEqual(got.Partitions, want) || got.Offsets != 9 {
		t.Errorf("offsets = %+v (records %d), want %+v", got.Partitions, got.Offsets, want)
	}
	future := time.Now().Add(time.Hour)
	got, err = c.TopicOffsets(context.Background(), "t", &future)
	if err != nil {
		t.Fatal(err)
	}
	if p0, p1 := got.Partitions[0].AtTime, got.Partitions[1].AtTime; p0 == nil || *p0 != 6 || p1 == nil || *p1 != 4 {
		t.Errorf("offsets after the newest record = %v, %v; want the log ends 6, 4", p0, p1)
	}
	got, err = c.TopicOffsets(context.Background(), "t", nil)
	if err != nil || got.Partitions[0].AtTime != nil || got.At != nil {
		t.Errorf("without a time: %+v, %v", got, err)
	}
	if _, err := c.TopicOffsets(context.Background(), "nope", nil); !errors.Is(err, offsets.ErrTopicNotFound) || err.Error() != "topic nope does not exist" {
		t.Errorf("unknown topic: %v", err)
	}
}

func TestTopicsOffsets(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"a": 1, "b": 3})
	now := func(int) time.Time { return time.Now() }
	produce(t, f, "a", 0, 4, now)
	produce(t, f, "b", 2, 2, now)
	got, err := c.TopicsOffsets(context.Background(), []string{"b", "a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Topic != "b" || got[1].Topic != "a" {
		t.Fatalf("topics = %+v, want b then a", got)
	}
	if len(got[0].Partitions) != 3 || got[0].Offsets != 2 || got[0].Partitions[2].Offsets != 2 || got[1].Offsets != 4 {
		t.Errorf("offsets = %+v", got)
	}
	if _, err := c.TopicsOffsets(context.Background(), []string{"a", "nope"}, nil); !errors.Is(err, offsets.ErrTopicNotFound) {
		t.Errorf("unknown topic among several: %v", err)
	}
}

// TestOffsetsForTimeWithinBatch checks the correction for brokers that
// answer a time lookup with an earlier record of the right batch.
func TestOffsetsForTimeWithinBatch(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	p, err := f.SyncProducer(func(cfg *sarama.Config) {
		cfg.Producer.Partitioner = sarama.NewManualPartitioner
		cfg.Producer.Flush.Messages = 5
		cfg.Producer.Flush.Frequency = time.Second
	})
	if err != nil {
		t.Fatal(err)
	}
	base := time.UnixMilli(1_700_000_000_000)
	var msgs []*sarama.ProducerMessage
	for i := range 5 {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("v"), Timestamp: base.Add(time.Duration(i) * 10 * time.Second)})
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	p.Close()
	for _, c2 := range []struct {
		at   time.Duration
		want offsets.Offset
	}{{0, 0}, {15 * time.Second, 2}, {20 * time.Second, 2}, {21 * time.Second, 3}, {40 * time.Second, 4}, {41 * time.Second, offsets.NoOffset}} {
		got, err := c.OffsetsForTime([]offsets.TopicPartition{tp0}, base.Add(c2.at).UnixMilli())
		if err != nil || got[tp0] != c2.want {
			t.Errorf("offset at base+%v = %v, %v; want %v", c2.at, got[tp0], err, c2.want)
		}
	}
}
