package broker_test

import (
	"context"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
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
	cl2, err := kgo.NewClient(kgo.SeedBrokers(b2.Addrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
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
