package broker_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// produceRequest produces batches to partitions 0, 1, ... of topic "fuzz".
func produceRequest(batches ...[]byte) *kmsg.ProduceRequest {
	req := kmsg.NewPtrProduceRequest()
	req.Version = 9
	req.Acks = 1
	req.TimeoutMillis = 5000
	t := kmsg.NewProduceRequestTopic()
	t.Topic = "fuzz"
	for i, b := range batches {
		p := kmsg.NewProduceRequestTopicPartition()
		p.Partition, p.Records = int32(i), b
		t.Partitions = append(t.Partitions, p)
	}
	req.Topics = []kmsg.ProduceRequestTopic{t}
	return req
}

func rawClient(t *testing.T, b *broker.Broker) *kgo.Client {
	t.Helper()
	// Kafka 3.0's versions: Produce before topic ids.
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...), kgo.RetryTimeout(5*time.Second), kgo.MaxVersions(kversion.V3_0_0()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// TestCorruptBatchesAnsweredAndHarmless produces every corrupt batch next
// to a good one, expects CORRUPT_MESSAGE for the corrupt partition only,
// and then runs what crashed or stalled kfake on such data: a lookup by
// time and a fetch from the start.
func TestCorruptBatchesAnsweredAndHarmless(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"fuzz": 2}})
	cl := rawClient(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	corrupt := corruptBatches(t)
	names := slices.Sorted(maps.Keys(corrupt))
	for i, name := range names {
		ts := int64(i+1) * 1000
		resp, err := produceRequest(stamped(corrupt[name], ts), goodBatch(2)).RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range resp.Topics[0].Partitions {
			want := int16(0)
			if p.Partition == 0 {
				want = kerr.CorruptMessage.Code
			}
			if p.ErrorCode != want {
				t.Errorf("%s: partition %d error %v, want %v", name, p.Partition, kerr.ErrorForCode(p.ErrorCode), kerr.ErrorForCode(want))
			}
		}
		// A lookup by time reads the records of the batch it lands on:
		// this crashed kfake on a stored corrupt batch.
		if off := offsetAt(ctx, t, cl, ts); off != -1 {
			t.Errorf("%s: lookup by time found offset %d in partition 0", name, off)
		}
	}
	if got := b.CorruptBatches(); got != int64(len(corrupt)) {
		t.Errorf("CorruptBatches() = %d, want %d", got, len(corrupt))
	}
	if _, high, _, _ := b.PartitionOffsets("fuzz", 0); high != 0 {
		t.Errorf("partition 0 holds %d records of corrupt batches", high)
	}
	fetched := 0
	fc := testutil.KGo(t, b, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"fuzz": {1: kgo.NewOffset().AtStart()}}))
	for want := 2 * len(corrupt); fetched < want; {
		fs := fc.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("fetched %d of %d good records: %v", fetched, want, err)
		}
		fs.EachRecord(func(*kgo.Record) { fetched++ })
	}
}

// stamped sets a batch's timestamps to ts (keeping its records as they
// are); a batch whose header does not decode is returned unchanged.
func stamped(raw []byte, ts int64) []byte {
	var b kmsg.RecordBatch
	if b.ReadFrom(raw) != nil || int(b.Length) != len(raw)-12 {
		return raw
	}
	b.FirstTimestamp, b.MaxTimestamp = ts, ts
	return broker.EncodeBatch(b)
}

// offsetAt looks up the offset of partition 0 of "fuzz" at ts.
func offsetAt(ctx context.Context, t *testing.T, cl *kgo.Client, ts int64) int64 {
	t.Helper()
	list := kmsg.NewPtrListOffsetsRequest()
	lt := kmsg.NewListOffsetsRequestTopic()
	lt.Topic = "fuzz"
	lp := kmsg.NewListOffsetsRequestTopicPartition()
	lp.Partition, lp.Timestamp = 0, ts
	lt.Partitions = []kmsg.ListOffsetsRequestTopicPartition{lp}
	list.Topics = []kmsg.ListOffsetsRequestTopic{lt}
	resp, err := list.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("lookup by time: %v", err)
	}
	return resp.Topics[0].Partitions[0].Offset
}
