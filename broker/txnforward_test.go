package broker_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// stageOffset adds group's offset for topic/0 to the producer's open
// transaction (AddOffsetsToTxn, TxnOffsetCommit).
func stageOffset(t *testing.T, cl *kgo.Client, id, group, topic string, pid int64, epoch int16, offset int64) {
	t.Helper()
	ctx := context.Background()
	add := kmsg.NewPtrAddOffsetsToTxnRequest()
	add.TransactionalID, add.ProducerID, add.ProducerEpoch, add.Group = id, pid, epoch, group
	if r, err := add.RequestWith(ctx, cl); err != nil || r.ErrorCode != 0 {
		t.Fatalf("add offsets to txn: %v %+v", err, r)
	}
	tc := kmsg.NewPtrTxnOffsetCommitRequest()
	tc.TransactionalID, tc.Group, tc.ProducerID, tc.ProducerEpoch, tc.Generation = id, group, pid, epoch, -1
	rt := kmsg.NewTxnOffsetCommitRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewTxnOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset = 0, offset
	rt.Partitions = append(rt.Partitions, rp)
	tc.Topics = append(tc.Topics, rt)
	if r, err := tc.RequestWith(ctx, cl); err != nil || r.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("txn offset commit: %v %+v", err, r)
	}
}

// TestCrashMidCommitCompletesIt: a kill -9 after the coordinator took a
// commit (EndTxn logged) and wrote the marker of one partition, before the
// other partition's marker and the transaction's consumer offsets, is
// completed at start-up as Kafka's coordinator completes a PrepareCommit:
// both partitions' records become visible and the group's offset is
// committed. Never half a transaction.
func TestCrashMidCommitCompletesIt(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"rf": 2, "in": 1}})
	ctx := context.Background()
	openOnTwo(t, b, "rf-id", "rf")
	cl := testutil.KGo(t, b)
	adm := kadm.NewClient(cl)
	d := describeTxn(t, adm, "rf-id")
	stageOffset(t, cl, "rf-id", "copiers", "in", d.ProducerID, d.ProducerEpoch, 42)
	// The coordinator's first marker (partition 0) is written, then the
	// crash: partition 1 stays open, the offsets are not applied.
	if _, err := adm.WriteTxnMarkers(ctx, kadm.TxnMarkers{ProducerID: d.ProducerID, ProducerEpoch: d.ProducerEpoch, Commit: true,
		Topics: kadm.TopicsSet{"rf": {0: {}}}}); err != nil {
		t.Fatal(err)
	}
	image := crashImage(t, dir)
	// What kq's EndTxn hook writes before kfake handles the commit.
	line, _ := json.Marshal(map[string]any{"op": "commit", "pid": d.ProducerID, "epoch": d.ProducerEpoch,
		"offsets": []map[string]any{{"group": "copiers", "topic": "in", "partition": 0, "offset": 42, "leader_epoch": -1}}})
	appendLine(t, filepath.Join(image, "kq_txn_decisions.log"), line)

	b2 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: image})
	if c, a := b2.CompletedPartitions(), b2.RecoveredPartitions(); c != 1 || a != 0 {
		t.Fatalf("start-up completed the commit in %d partitions and aborted in %d, want 1 and 0", c, a)
	}
	if got := readCommitted(t, b2, "rf", "end"); !slices.Equal(got, []string{"x0"}) {
		t.Fatalf("partition 0 read_committed: %q, want [x0]", got)
	}
	if got := readCommittedPart(t, b2, "rf", 1, "end"); !slices.Equal(got, []string{"x1"}) {
		t.Fatalf("partition 1 read_committed: %q, want [x1] (the commit completed)", got)
	}
	offs, err := kadm.NewClient(newClient(t, b2)).FetchOffsets(ctx, "copiers")
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := offs.Lookup("in", 0); !ok || o.Err != nil || o.At != 42 {
		t.Fatalf("group offset after recovery: %+v %v, want 42", o, ok)
	}
}

// TestCommitDecisionIsLogged: kq's EndTxn hook writes the decision with
// the staged offsets, and the producer's next transaction a begin.
func TestCommitDecisionIsLogged(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"dl": 2, "in": 1}})
	openOnTwo(t, b, "dl-id", "dl")
	cl := newClient(t, b)
	d := describeTxn(t, kadm.NewClient(cl), "dl-id")
	stageOffset(t, cl, "dl-id", "g", "in", d.ProducerID, d.ProducerEpoch, 7)
	end := kmsg.NewPtrEndTxnRequest()
	end.TransactionalID, end.ProducerID, end.ProducerEpoch, end.Commit = "dl-id", d.ProducerID, d.ProducerEpoch, true
	if r, err := end.RequestWith(context.Background(), cl); err != nil || r.ErrorCode != 0 {
		t.Fatalf("commit: %v %+v", err, r)
	}
	last, err := broker.ReadDecisions(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := last[d.ProducerID]
	if e.Op != "commit" || e.Epoch != d.ProducerEpoch || len(e.Offsets) != 1 || e.Offsets[0].Offset != 7 {
		t.Fatalf("last entry of the producer: %+v, want its commit with offset 7", e)
	}
}

func appendLine(t *testing.T, path string, line []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
}

func newClient(t *testing.T, b *broker.Broker) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}
