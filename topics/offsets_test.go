package topics

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestTopicOffsets(t *testing.T) {
	c, f, _ := setup(t, 1, map[string]int32{"t": 2})
	base := time.UnixMilli(1_700_000_000_000)
	var msgs []*sarama.ProducerMessage
	for i := range 6 {
		m := testutil.Msg("t", 0, "", fmt.Sprint(i))
		m.Timestamp = base.Add(time.Duration(i) * time.Second)
		msgs = append(msgs, m)
	}
	testutil.Produce(t, f, msgs...)
	testutil.ProduceTxn(t, f, "tx-o", true, testutil.Msg("t", 1, "", "c0"), testutil.Msg("t", 1, "", "c1"))
	testutil.OpenTxn(t, f, "tx-open", testutil.Msg("t", 1, "", "open"))
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
	c, f, _ := setup(t, 1, map[string]int32{"a": 1, "b": 3})
	for range 4 {
		testutil.Produce(t, f, testutil.Msg("a", 0, "", "v"))
	}
	testutil.Produce(t, f, testutil.Msg("b", 2, "", "v"), testutil.Msg("b", 2, "", "v"))
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
