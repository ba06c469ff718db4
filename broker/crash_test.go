package broker_test

import (
	"context"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// crashImage copies a running broker's data dir: the files as they are
// now, without the shutdown's final save, which is what kill -9 leaves.
func crashImage(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// idempotentProduce sends one record as producer pid/epoch with sequence
// seq to topic/0 and returns the base offset the broker answers.
func idempotentProduce(t *testing.T, cl *kgo.Client, topic string, pid int64, epoch int16, seq int32) int64 {
	t.Helper()
	rec := kmsg.Record{Value: []byte("once")}
	rec.Length = int32(len(rec.AppendTo(nil)) - 1)
	b := kmsg.RecordBatch{Magic: 2, ProducerID: pid, ProducerEpoch: epoch, FirstSequence: seq, NumRecords: 1,
		FirstTimestamp: time.Now().UnixMilli(), MaxTimestamp: time.Now().UnixMilli(), Records: rec.AppendTo(nil)}
	enc := b.AppendTo(nil)
	b.Length = int32(len(enc) - 12)
	enc = b.AppendTo(nil)
	b.CRC = int32(crc32.Checksum(enc[21:], crc32.MakeTable(crc32.Castagnoli)))
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = -1, 5000
	meta := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	meta.Topics = append(meta.Topics, mt)
	mresp, err := meta.RequestWith(context.Background(), cl)
	if err != nil || len(mresp.Topics) != 1 {
		t.Fatalf("metadata: %v", err)
	}
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic, rt.TopicID = topic, mresp.Topics[0].TopicID
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = b.AppendTo(nil)
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode != 0 {
		t.Fatalf("produce seq %d: error code %d", seq, p.ErrorCode)
	}
	return p.BaseOffset
}

// TestCrashKeepsIdempotence checks that a batch an idempotent producer
// retries after the broker was killed is recognised as a duplicate, as
// Kafka does by rebuilding producer state from the log.
func TestCrashKeepsIdempotence(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"idem": 1}})
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addrs()...))
	if err != nil {
		t.Fatal(err)
	}
	init, err := kmsg.NewPtrInitProducerIDRequest().RequestWith(context.Background(), cl)
	if err != nil || init.ErrorCode != 0 {
		t.Fatalf("init producer id: %v %v", err, init)
	}
	pid, epoch := init.ProducerID, init.ProducerEpoch
	for seq := range int32(3) {
		if off := idempotentProduce(t, cl, "idem", pid, epoch, seq); off != int64(seq) {
			t.Fatalf("seq %d at offset %d", seq, off)
		}
	}
	cl.Close()
	image := crashImage(t, dir)
	b2 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: image})
	cl2 := testutil.KGo(t, b2)
	if off := idempotentProduce(t, cl2, "idem", pid, epoch, 2); off != 2 {
		t.Fatalf("the retried batch was answered with offset %d, want its original offset 2", off)
	}
	if off := idempotentProduce(t, cl2, "idem", pid, epoch, 3); off != 3 {
		t.Fatalf("the next batch went to offset %d, want 3", off)
	}
	if _, high, _, _ := b2.PartitionOffsets("idem", 0); high != 4 {
		t.Fatalf("high watermark %d after a retry and one new batch, want 4", high)
	}
}

// txnProducer returns a transactional franz-go client of id on topic.
func txnProducer(t *testing.T, addrs []string, id, topic string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.TransactionalID(id),
		kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// txnSend begins a transaction, writes values to partition 0 and commits
// it when commit is set; otherwise it leaves the transaction open.
func txnSend(t *testing.T, cl *kgo.Client, commit bool, values ...string) {
	t.Helper()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if commit {
		if err := cl.EndTransaction(context.Background(), kgo.TryCommit); err != nil {
			t.Fatal(err)
		}
	}
}

// readCommitted is readCommittedPart of partition 0.
func readCommitted(t *testing.T, b *broker.Broker, topic, sentinel string) []string {
	t.Helper()
	return readCommittedPart(t, b, topic, 0, sentinel)
}

// readCommittedPart writes a plain (non-transactional) sentinel record to
// a partition of topic and returns the values a read_committed reader sees
// there before it: the sentinel is only readable once the last stable
// offset passed everything before it.
func readCommittedPart(t *testing.T, b *broker.Broker, topic string, part int32, sentinel string) []string {
	t.Helper()
	cl := testutil.KGo(t, b, kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {part: kgo.NewOffset().AtStart()}}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Partition: part, Value: []byte(sentinel)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read_committed %s/%d: no sentinel after %q (the last stable offset is stuck)", topic, part, vals)
		}
		for _, r := range fs.Records() {
			if string(r.Value) == sentinel {
				return vals
			}
			vals = append(vals, string(r.Value))
		}
	}
}

// dropLastIndexEntry removes the last entry of the index file of topic's
// partition 0, as a kill -9 between kfake's segment write and its index
// write leaves it.
func dropLastIndexEntry(t *testing.T, dir, topic string) {
	t.Helper()
	idx, err := filepath.Glob(filepath.Join(dir, "partitions", topic+"-0", "*.idx"))
	if err != nil || len(idx) != 1 {
		t.Fatalf("index files %v: %v", idx, err)
	}
	fi, err := os.Stat(idx[0])
	if err != nil || fi.Size() < 15 {
		t.Fatalf("index %s: %v", idx[0], err)
	}
	if err := os.Truncate(idx[0], fi.Size()-15); err != nil {
		t.Fatal(err)
	}
}

// TestCrashBetweenSegmentAndIndexWrite reproduces the kill -9 that lands
// between kfake's write of a transactional batch and the write of its index
// entry: the transaction open at the crash must stay invisible to
// read_committed readers, at this restart and after a later crash (when a
// misplaced index made kfake forget every earlier abort of the segment).
func TestCrashBetweenSegmentAndIndexWrite(t *testing.T) {
	dir := t.TempDir()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: dir, SeedTopics: map[string]int32{"tx": 1}})
	p := txnProducer(t, b.Addrs(), "crashy", "tx")
	txnSend(t, p, true, "c1")
	txnSend(t, p, false, "open1") // the crash interrupts this one
	p.Close()
	image := crashImage(t, dir)
	dropLastIndexEntry(t, image, "tx")

	b2 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: image})
	if got := readCommitted(t, b2, "tx", "end1"); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("after the first crash read_committed sees %q, want [c1]", got)
	}
	p2 := txnProducer(t, b2.Addrs(), "crashy", "tx")
	txnSend(t, p2, true, "c2")
	txnSend(t, p2, false, "open2")
	p2.Close()
	image2 := crashImage(t, image)

	b3 := testutil.StartBroker(t, &broker.Options{Nodes: 1, DataDir: image2})
	if got := readCommitted(t, b3, "tx", "end2"); !slices.Equal(got, []string{"c1", "end1", "c2"}) {
		t.Fatalf("after the second crash read_committed sees %q, want [c1 end1 c2]", got)
	}
}
