package fetch_test

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestFind: one batch of records a minute apart, then an aborted
// transaction and a committed record. Find stops at end and says so when
// it finds nothing, and finds a record inside a batch.
func TestFind(t *testing.T) {
	_, f := testutil.Cluster(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	base := time.UnixMilli(1_700_000_000_000)
	msgs := testutil.MsgsApart("t", 0, 3, base, time.Minute)
	testutil.ProduceBatch(t, f, msgs...)                                       // offsets 0-2
	testutil.ProduceTxn(t, f, "x", false, testutil.Msg("t", 0, "", "aborted")) // 3, marker 4
	testutil.Produce(t, f, testutil.Msg("t", 0, "", "after"))                  // 5
	client, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = fetch.Find(client, "t", 0, 0, 5, sarama.ReadCommitted, func(r *fetch.Record) bool { return string(r.Value) == "after" })
	if !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("Find before offset 5: %v, want ErrNotFound", err)
	}
	r, err := fetch.Find(client, "t", 0, 1, 6, sarama.ReadCommitted, func(*fetch.Record) bool { return true })
	if err != nil || r.Offset != 1 || !r.Timestamp.Equal(base.Add(time.Minute)) {
		t.Errorf("Find from 1 = %+v, %v", r, err)
	}
}
