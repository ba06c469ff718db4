package broker_test

import (
	"context"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// openOnTwo leaves a transaction of id open on partitions 0 and 1 of
// topic, one record ("x0", "x1") in each.
func openOnTwo(t *testing.T, b *broker.Broker, id, topic string) {
	t.Helper()
	p := txnProducer(t, b.Addrs(), id, topic)
	t.Cleanup(p.Close)
	if err := p.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for part := range int32(2) {
		r := &kgo.Record{Partition: part, Value: []byte{'x', '0' + byte(part)}}
		if err := p.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func admin(t *testing.T, b *broker.Broker) *kadm.Client {
	t.Helper()
	return kadm.NewClient(newClient(t, b))
}

// txnStarts returns, per partition of topic (0 and 1), the current
// transaction start offset DescribeProducers reports for each producer.
func txnStarts(t *testing.T, adm *kadm.Client, topic string) map[int32][]int64 {
	t.Helper()
	ps, err := adm.DescribeProducers(context.Background(), kadm.TopicsSet{topic: {0: {}, 1: {}}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32][]int64{}
	for _, p := range ps.SortedPartitions() {
		if p.Err != nil {
			t.Fatalf("describe producers %s/%d: %v", p.Topic, p.Partition, p.Err)
		}
		for _, a := range p.ActiveProducers.Sorted() {
			out[p.Partition] = append(out[p.Partition], a.CurrentTxnStartOffset)
		}
	}
	return out
}

func describeTxn(t *testing.T, adm *kadm.Client, id string) kadm.DescribedTransaction {
	t.Helper()
	ds, err := adm.DescribeTransactions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := ds[id]
	if !ok || d.Err != nil {
		t.Fatalf("describe transaction %s: %+v", id, d)
	}
	return d
}

// TestMarkerAbortEndsPartitionTxn: after a WriteTxnMarkers abort of one
// partition (kq transactions abort), DescribeProducers reports no current
// transaction for the producer there, as Kafka's partition state does; the
// other partition and the coordinator (which Kafka does not tell) still
// have it open.
func TestMarkerAbortEndsPartitionTxn(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"pm": 2}})
	openOnTwo(t, b, "pm-id", "pm")
	adm := admin(t, b)
	if got := txnStarts(t, adm, "pm"); !slices.Equal(got[0], []int64{0}) || !slices.Equal(got[1], []int64{0}) {
		t.Fatalf("open transaction: start offsets %v, want 0 on both partitions", got)
	}
	d := describeTxn(t, adm, "pm-id")
	rs, err := adm.WriteTxnMarkers(context.Background(), kadm.TxnMarkers{
		ProducerID: d.ProducerID, ProducerEpoch: d.ProducerEpoch, Topics: kadm.TopicsSet{"pm": {0: {}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rs[d.ProducerID].Topics["pm"].Partitions[0].Err; err != nil {
		t.Fatalf("abort marker: %v", err)
	}
	got := txnStarts(t, adm, "pm")
	if slices.ContainsFunc(got[0], func(o int64) bool { return o >= 0 }) || !slices.Equal(got[1], []int64{0}) {
		t.Fatalf("after the marker on partition 0: start offsets %v, want none open on 0 and 0 on 1", got)
	}
	if d := describeTxn(t, adm, "pm-id"); d.State != "Ongoing" || len(d.Topics["pm"]) != 2 {
		t.Fatalf("coordinator after a partition's marker: %s %v, want Ongoing on both partitions (as Kafka)", d.State, d.Topics)
	}
}

// TestCleanRestartKeepsOpenTxn: a transaction open at a clean shutdown is
// still open after the restart (Kafka's coordinator keeps an Ongoing
// transaction), not aborted by the start-up recovery, and its producer can
// commit it: read_committed readers then see its records.
func TestCleanRestartKeepsOpenTxn(t *testing.T) {
	dir := t.TempDir()
	b, err := broker.Start(broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"pc": 2}})
	if err != nil {
		t.Fatal(err)
	}
	openOnTwo(t, b, "pc-id", "pc")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir})
	if n := b2.RecoveredPartitions(); n != 0 {
		t.Fatalf("start-up aborted a transaction in %d partitions after a clean shutdown", n)
	}
	adm := admin(t, b2)
	d := describeTxn(t, adm, "pc-id")
	if d.State != "Ongoing" || len(d.Topics["pc"]) != 2 {
		t.Fatalf("after a clean restart: %s %v, want Ongoing on both partitions", d.State, d.Topics)
	}
	cl := testutil.KGo(t, b2)
	end := kmsg.NewPtrEndTxnRequest()
	end.TransactionalID, end.ProducerID, end.ProducerEpoch, end.Commit = "pc-id", d.ProducerID, d.ProducerEpoch, true
	resp, err := end.RequestWith(context.Background(), cl)
	if err != nil || resp.ErrorCode != 0 {
		t.Fatalf("commit after the restart: %v %+v", err, resp)
	}
	if got := readCommitted(t, b2, "pc", "end"); !slices.Equal(got, []string{"x0"}) {
		t.Fatalf("read_committed on partition 0 sees %q after the commit, want [x0]", got)
	}
}

// TestCrashRecoveryEndsTxnState: after kill -9 and the start-up recovery,
// the transaction open at the crash is over everywhere: the coordinator
// does not list it as Ongoing and no partition reports it open.
func TestCrashRecoveryEndsTxnState(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"pk": 2}})
	openOnTwo(t, b, "pk-id", "pk")
	b2 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: crashImage(t, dir)})
	if n := b2.RecoveredPartitions(); n != 2 {
		t.Fatalf("recovery aborted in %d partitions, want 2", n)
	}
	adm := admin(t, b2)
	if d := describeTxn(t, adm, "pk-id"); d.State == "Ongoing" || len(d.Topics) != 0 {
		t.Fatalf("after recovery: %s %v, want the transaction over", d.State, d.Topics)
	}
	if got := txnStarts(t, adm, "pk"); slices.ContainsFunc(append(got[0], got[1]...), func(o int64) bool { return o >= 0 }) {
		t.Fatalf("after recovery: start offsets %v, want no open transaction", got)
	}
	ls, err := adm.ListTransactions(context.Background(), nil, []string{"Ongoing"})
	if err != nil || len(ls) != 0 {
		t.Fatalf("ongoing transactions after recovery: %v %v", ls.Sorted(), err)
	}
}
