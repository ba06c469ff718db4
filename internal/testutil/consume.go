package testutil

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// ReadValues reads n values of one partition of topic from its start with
// a sarama consumer of f (mods applied to its config) and returns them. A
// consumer error, or fewer than n values within 10s, fails the test.
func ReadValues(t testing.TB, f conn.Factory, topic string, partition int32, n int, mods ...func(*sarama.Config)) []string {
	t.Helper()
	c, err := f.Consumer(mods...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, partition, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var got []string
	timeout := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case m := <-pc.Messages():
			got = append(got, string(m.Value))
		case err := <-pc.Errors():
			t.Fatalf("consume %s/%d: %v", topic, partition, err)
		case <-timeout:
			t.Fatalf("read %d of %d records of %s/%d: %q", len(got), n, topic, partition, got)
		}
	}
	return got
}
