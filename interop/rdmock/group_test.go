package rdmock

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// collector is a consumer group handler that marks every record and hands
// it on.
type collector struct{ out chan<- record }

func (collector) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (collector) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (c collector) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		s.MarkMessage(m, "")
		select {
		case c.out <- fromSarama(m):
		case <-s.Context().Done():
			return nil
		}
	}
	return nil
}

// TestConsumerGroup: a consumer group built by kq's factory joins the mock's
// group coordinator, is assigned every partition, reads every record once
// and commits; the committed offsets add up to the records read.
func TestConsumerGroup(t *testing.T) {
	boot := startMock(t, "t")
	f := kqFactory(boot, workingVersion)
	want, err := produceAll(f, "t", 30)
	if err != nil {
		t.Fatal(err)
	}
	got := consumeGroup(t, f, "g", len(want))
	sameRecords(t, got, want)
	if sum := committedSum(t, f, "g", "t"); sum != int64(len(want)) {
		t.Fatalf("committed offsets add up to %d, want %d", sum, len(want))
	}
}

// consumeGroup reads n records as a member of group and then leaves it.
func consumeGroup(t *testing.T, f conn.Factory, group string, n int) []record {
	t.Helper()
	cg, err := f.ConsumerGroup(group, func(c *sarama.Config) { c.Consumer.Offsets.Initial = sarama.OffsetOldest })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	recs := make(chan record)
	done := make(chan error, 1)
	go func() {
		var err error
		for ctx.Err() == nil && err == nil {
			err = cg.Consume(ctx, []string{"t"}, collector{out: recs})
		}
		done <- err
	}()
	var got []record
	for len(got) < n {
		select {
		case r := <-recs:
			got = append(got, r)
		case err := <-done:
			t.Fatalf("group consumer stopped after %d of %d records: %v", len(got), n, err)
		case <-ctx.Done():
			t.Fatalf("group consumer read %d of %d records in 30s", len(got), n)
		}
	}
	cancel()
	<-done
	if err := cg.Close(); err != nil { // commits what was marked (auto-commit)
		t.Fatalf("close group consumer: %v", err)
	}
	return got
}

// committedSum fetches group's committed offsets of a three-partition topic
// from its coordinator and adds them up.
func committedSum(t *testing.T, f conn.Factory, group, topic string) int64 {
	t.Helper()
	client, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	coord, err := client.Coordinator(group)
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.OffsetFetchRequest{Version: 1, ConsumerGroup: group}
	for p := range int32(3) {
		req.AddPartition(topic, p)
	}
	resp, err := coord.FetchOffset(req)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for p := range int32(3) {
		b := resp.GetBlock(topic, p)
		if b == nil || b.Err != sarama.ErrNoError {
			t.Fatalf("committed offset of %s/%d: %v", topic, p, b)
		}
		if b.Offset > 0 {
			sum += b.Offset
		}
	}
	return sum
}
