package transactions_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/transactions"
)

// openTxn leaves a transaction open on topic partition 0 with n records;
// the producer stays alive (and the transaction open) until the test ends.
func openTxn(t *testing.T, addr, topic, id string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(conn.SplitBrokers(addr)...), kgo.TransactionalID(id), kgo.TransactionTimeout(5*time.Minute),
		kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx := context.Background()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Partition: 0, Value: []byte(strconv.Itoa(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func setup(t *testing.T) (*transactions.Admin, *kadm.Client, string) {
	t.Helper()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"orders": 2}})
	cl := testutil.KAdmin(t, b)
	return transactions.New(cl), cl, b.Bootstrap()
}

func TestHangingTransactionIsSeenAndAborted(t *testing.T) {
	a, cl, addr := setup(t)
	ctx := context.Background()
	openTxn(t, addr, "orders", "hang-1", 3)

	txns, err := a.List(ctx)
	if err != nil || len(txns) != 1 || txns[0].TransactionalID != "hang-1" || txns[0].State != "Ongoing" {
		t.Fatalf("List = %+v, %v; want hang-1 Ongoing", txns, err)
	}
	ds, err := a.Describe(ctx, "hang-1")
	if err != nil || len(ds) != 1 || len(ds[0].Partitions) != 1 || ds[0].Partitions[0] != (offsets.TopicPartition{Topic: "orders", Partition: 0}) {
		t.Fatalf("Describe = %+v, %v; want orders/0 in the transaction", ds, err)
	}
	ps, err := a.Producers(ctx, "orders")
	if err != nil || len(ps) != 1 || ps[0].TxnStartOffset != 0 || ps[0].ProducerID != txns[0].ProducerID {
		t.Fatalf("Producers = %+v, %v; want one producer with a transaction open at 0", ps, err)
	}
	bl, err := a.Blocking(ctx, "orders")
	p0 := offsets.TopicPartition{Topic: "orders", Partition: 0}
	if err != nil || len(bl) != 1 || bl[p0].TransactionalID != "hang-1" || bl[p0].StartOffset != 0 {
		t.Fatalf("Blocking = %+v, %v; want orders/0 blocked by hang-1 at 0", bl, err)
	}

	if _, err := a.Abort(ctx, transactions.AbortOptions{Topic: "orders", Partition: 0, StartOffset: 7, ProducerID: -1}); err == nil {
		t.Fatal("aborting a transaction that does not start at 7 succeeded")
	}
	got, err := a.Abort(ctx, transactions.AbortOptions{Topic: "orders", Partition: 0, StartOffset: 0, ProducerID: -1})
	if err != nil || got.ProducerID != txns[0].ProducerID {
		t.Fatalf("Abort = %+v, %v", got, err)
	}
	// The last stable offset moves past the aborted records and the
	// marker: read_committed readers are no longer held back.
	lso, err := cl.ListCommittedOffsets(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := lso.Lookup("orders", 0); o.Offset != 4 {
		t.Fatalf("last stable offset after the abort = %d, want 4 (3 records and the marker)", o.Offset)
	}
	if bl, err := a.Blocking(ctx, "orders"); err != nil || len(bl) != 0 {
		t.Fatalf("Blocking after the abort = %+v, %v; want nothing", bl, err)
	}
}

func TestAbortNeedsATransaction(t *testing.T) {
	a, _, _ := setup(t)
	_, err := a.Abort(context.Background(), transactions.AbortOptions{Topic: "orders", Partition: 0, StartOffset: -1, ProducerID: -1})
	if err == nil {
		t.Fatal("an abort naming nothing succeeded")
	}
	_, err = a.Abort(context.Background(), transactions.AbortOptions{Topic: "orders", Partition: 1, StartOffset: 0, ProducerID: -1})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("abort with no open transaction: %v", err)
	}
}
