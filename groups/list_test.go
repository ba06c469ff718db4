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
	"github.com/kq-dev/kq/internal/setting"
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
		got, err := c.offsets.ExistingForTime([]offsets.TopicPartition{tp0}, base.Add(c2.at).UnixMilli(), setting.ReadUncommitted)
		if err != nil || got[tp0] != c2.want {
			t.Errorf("offset at base+%v = %v, %v; want %v", c2.at, got[tp0], err, c2.want)
		}
	}
}
