package fetch

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func TestWalkOffsetsTimestampsAndIsolation(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	plain := &sarama.RecordBatch{FirstOffset: 10, LastOffsetDelta: 2, FirstTimestamp: t0, MaxTimestamp: t0.Add(2 * time.Second), ProducerID: -1}
	for i := range 3 {
		plain.Records = append(plain.Records, &sarama.Record{OffsetDelta: int64(i), TimestampDelta: time.Duration(i) * time.Second, Value: []byte{byte('a' + i)}})
	}
	aborted := &sarama.RecordBatch{FirstOffset: 13, ProducerID: 7, IsTransactional: true, Records: []*sarama.Record{{Value: []byte("x")}}}
	abort := &sarama.RecordBatch{FirstOffset: 14, ProducerID: 7, IsTransactional: true, Control: true,
		Records: []*sarama.Record{{Key: []byte{0, 0, 0, 0}}}}
	appendTime := &sarama.RecordBatch{FirstOffset: 15, LogAppendTime: true, MaxTimestamp: t0.Add(time.Hour), FirstTimestamp: t0,
		Records: []*sarama.Record{{Value: []byte("z")}}}
	blk := &sarama.FetchResponseBlock{
		AbortedTransactions: []*sarama.AbortedTransaction{{ProducerID: 7, FirstOffset: 13}},
		RecordsSet:          []*sarama.Records{{RecordBatch: plain}, {RecordBatch: aborted}, {RecordBatch: abort}, {RecordBatch: appendTime}},
	}
	for _, tc := range []struct {
		iso  sarama.IsolationLevel
		want []int64
	}{
		{sarama.ReadCommitted, []int64{11, 12, 15}},
		{sarama.ReadUncommitted, []int64{11, 12, 13, 15}},
	} {
		var got []int64
		var times []time.Time
		next, partial, err := Walk(blk, 11, tc.iso, func(r *Record) {
			got = append(got, r.Offset)
			times = append(times, r.Timestamp)
		})
		if err != nil || partial || next != 16 || !slices.Equal(got, tc.want) {
			t.Errorf("isolation %v: offsets %v next %d partial %v err %v; want %v, 16", tc.iso, got, next, partial, err, tc.want)
		}
		if !times[0].Equal(t0.Add(time.Second)) || !times[len(times)-1].Equal(t0.Add(time.Hour)) {
			t.Errorf("timestamps %v: want create time per record, log-append time per batch", times)
		}
	}
}

func TestWalkLegacyMessageSets(t *testing.T) {
	ms := &sarama.MessageSet{Messages: []*sarama.MessageBlock{
		{Offset: 4, Msg: &sarama.Message{Value: []byte("old")}},
		{Offset: 5, Msg: &sarama.Message{Key: []byte("k"), Value: []byte("v")}},
	}}
	var got []string
	next, _, err := Walk(&sarama.FetchResponseBlock{RecordsSet: []*sarama.Records{{MsgSet: ms}}}, 5, sarama.ReadCommitted,
		func(r *Record) { got = append(got, string(r.Key)+"="+string(r.Value)) })
	if err != nil || next != 6 || !slices.Equal(got, []string{"k=v"}) {
		t.Errorf("got %v next %d err %v", got, next, err)
	}
	nested := &sarama.MessageSet{Messages: []*sarama.MessageBlock{{Offset: 6, Msg: &sarama.Message{Set: ms}}}}
	_, _, err = Walk(&sarama.FetchResponseBlock{RecordsSet: []*sarama.Records{{MsgSet: nested}}}, 0, sarama.ReadCommitted, func(*Record) {})
	if !errors.Is(err, ErrLegacyCompressed) || Retriable(err) {
		t.Errorf("nested set: %v, want ErrLegacyCompressed, not retriable", err)
	}
}
