package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestListOffsetsForTimeAnswersTheRecord: a ListOffsets for a time is
// answered with the first record at or past it, as Kafka answers, also
// inside a compressed batch and with the replication model on (kfake
// alone answers with an earlier offset of the batch).
func TestListOffsetsForTimeAnswersTheRecord(t *testing.T) {
	for _, lag := range []time.Duration{0, broker.DefaultReplicaLag} {
		b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}, ReplicaLag: lag})
		cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.ProducerBatchCompression(kgo.SnappyCompression()),
			kgo.ProducerLinger(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		base := time.UnixMilli(1_700_000_000_000)
		var recs []*kgo.Record
		for i := range 4 {
			recs = append(recs, &kgo.Record{Topic: "t", Value: []byte("v"), Timestamp: base.Add(time.Duration(i) * time.Minute)})
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil { // one batch: offsets 0-3
			t.Fatal(err)
		}
		for _, c := range []struct {
			at         time.Duration
			want, wsTS int64
		}{{0, 0, 0}, {90 * time.Second, 2, 2}, {3 * time.Minute, 3, 3}, {time.Hour, -1, -1}} {
			off, ts := listForTime(ctx, t, cl, base.Add(c.at).UnixMilli())
			wantTS := int64(-1)
			if c.wsTS >= 0 {
				wantTS = base.Add(time.Duration(c.wsTS) * time.Minute).UnixMilli()
			}
			if off != c.want || ts != wantTS {
				t.Errorf("lag %v, time +%v: offset %d at %d, want %d at %d", lag, c.at, off, ts, c.want, wantTS)
			}
		}
	}
}

// listForTime asks partition t/0 for the offset at ms.
func listForTime(ctx context.Context, t *testing.T, cl *kgo.Client, ms int64) (offset, timestamp int64) {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "t"
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = 0, ms, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("ListOffsets: %+v, %v", resp, err)
	}
	p := resp.Topics[0].Partitions[0]
	return p.Offset, p.Timestamp
}
