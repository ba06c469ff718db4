package produce

import (
	"bytes"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kmsgRecord encodes r with franz-go's kmsg (an independent encoder).
func kmsgRecord(r *Record, tsDelta int64, offsetDelta int32) []byte {
	kr := kmsg.Record{TimestampDelta64: tsDelta, OffsetDelta: offsetDelta, Key: r.Key, Value: r.Value}
	for _, h := range r.Headers {
		kr.Headers = append(kr.Headers, kmsg.Header{Key: string(h.Key), Value: h.Value})
	}
	kr.Length = int32(len(kr.AppendTo(nil)) - 1) // Length 0 took one byte
	return kr.AppendTo(nil)
}

// kmsgSize is the size of r on the wire.
func kmsgSize(r *Record, tsDelta int64, offsetDelta int32) int {
	return len(kmsgRecord(r, tsDelta, offsetDelta))
}

func TestRecordSizeMatchesWireFormat(t *testing.T) {
	big := bytes.Repeat([]byte("v"), 300)
	recs := []Record{
		{Value: []byte("hello")},
		{Key: []byte("k"), Value: nil},
		{Key: []byte{}, Value: []byte{}},
		{Key: []byte("key"), Value: big, Headers: []Header{{[]byte("h1"), []byte("x")}, {[]byte("h2"), nil}}},
		{Value: bytes.Repeat([]byte("w"), 20000)},
	}
	var b batch
	b.reset(0, 0)
	base := int64(1_700_000_000_000)
	for i := range recs {
		ts := base + int64(i)*70_000 // deltas that need several varint bytes
		size := b.recordSize(&recs[i], ts)
		if want := kmsgSize(&recs[i], ts-base, int32(i)); size != want {
			t.Errorf("record %d: size %d, wire %d", i, size, want)
		}
		b.add(&recs[i], ts, 0, size)
	}
	var wire []byte
	for i := range recs {
		wire = append(wire, kmsgRecord(&recs[i], int64(i)*70_000, int32(i))...)
	}
	if b.size != batchOverhead+len(wire) {
		t.Errorf("batch size %d, want %d", b.size, batchOverhead+len(wire))
	}
	if !bytes.Equal(b.arena, wire) {
		t.Errorf("the arena is not the records' wire encoding:\n%x\n%x", b.arena, wire)
	}
}

func TestBatchRecordBatch(t *testing.T) {
	var b batch
	b.reset(3, 0)
	base := int64(1_700_000_000_000)
	recs := []Record{
		{Key: []byte("k1"), Value: []byte("v1"), Headers: []Header{{[]byte("a"), []byte("1")}}},
		{Value: nil},
		{Key: []byte("k3"), Value: []byte("v3"), Headers: []Header{{[]byte("b"), nil}, {[]byte("c"), []byte("3")}}},
	}
	for i := range recs {
		b.add(&recs[i], base+int64(i)*5, time.Duration(i), b.recordSize(&recs[i], base+int64(i)*5))
	}
	// A record added later must not move earlier ones: the arena grows.
	rb := b.recordBatch(sarama.CompressionGZIP)
	if rb.Codec != sarama.CompressionGZIP || rb.LastOffsetDelta != 2 || !rb.FirstTimestamp.Equal(time.UnixMilli(base)) ||
		!rb.MaxTimestamp.Equal(time.UnixMilli(base+10)) || rb.ProducerID != -1 || len(rb.Records) != 3 {
		t.Fatalf("batch %+v", rb)
	}
	r0, r1, r2 := rb.Records[0], rb.Records[1], rb.Records[2]
	if string(r0.Key) != "k1" || string(r0.Value) != "v1" || len(r0.Headers) != 1 || string(r0.Headers[0].Value) != "1" {
		t.Errorf("record 0 %+v", r0)
	}
	if r1.Key != nil || r1.Value != nil || r1.Headers != nil || r1.OffsetDelta != 1 || r1.TimestampDelta != 5*time.Millisecond {
		t.Errorf("record 1 %+v", r1)
	}
	if len(r2.Headers) != 2 || r2.Headers[0].Value != nil || string(r2.Headers[1].Key) != "c" || string(r2.Value) != "v3" {
		t.Errorf("record 2 %+v", r2)
	}
	if b.recordBatch(sarama.CompressionGZIP) != rb {
		t.Error("a retry rebuilt the batch")
	}
	if b.dataBytes(0) != 4 || b.dataBytes(1) != 0 {
		t.Errorf("data bytes %d %d", b.dataBytes(0), b.dataBytes(1))
	}
}

func newTestAccumulator(parts int32, s Settings) (*accumulator, *queue[*batch]) {
	q := newQueue[*batch]()
	return newAccumulator(parts, s, q, func(int) {}), q
}

func TestAccumulatorSealsFullBatches(t *testing.T) {
	s := DefaultSettings()
	s.BatchBytes = 200
	a, q := newTestAccumulator(2, s)
	r := Record{Value: bytes.Repeat([]byte("x"), 50)}
	for range 10 {
		if err := a.add(&r, 1); err != nil {
			t.Fatal(err)
		}
	}
	bs, _ := q.popAll(nil)
	if len(bs) != 4 { // 61 + 2*~53 per batch, 3 records would pass 200
		t.Fatalf("%d sealed batches", len(bs))
	}
	for _, b := range bs {
		if b.partition != 1 || len(b.recs) != 2 || b.size > 200 {
			t.Errorf("batch: partition %d, %d records, %d bytes", b.partition, len(b.recs), b.size)
		}
	}
	a.close()
	bs, _ = q.popAll(nil)
	if len(bs) != 1 || len(bs[0].recs) != 2 {
		t.Fatalf("close sealed %d batches", len(bs))
	}
	if err := a.add(&r, 0); err != errClosed {
		t.Errorf("add after close: %v", err)
	}
}

func TestAccumulatorOversizedRecordGoesAlone(t *testing.T) {
	s := DefaultSettings()
	s.BatchBytes = 100
	a, q := newTestAccumulator(1, s)
	small, big := Record{Value: []byte("s")}, Record{Value: bytes.Repeat([]byte("B"), 500)}
	for _, r := range []*Record{&small, &big, &small} {
		if err := a.add(r, 0); err != nil {
			t.Fatal(err)
		}
	}
	a.close()
	bs, _ := q.popAll(nil)
	var sizes []int
	for _, b := range bs {
		sizes = append(sizes, len(b.recs))
	}
	if len(bs) != 3 || len(bs[1].recs) != 1 || len(bs[1].arena) != bs[1].size-batchOverhead {
		t.Errorf("batches of %v records", sizes)
	}
}

func TestAccumulatorStickyMovesOnSeal(t *testing.T) {
	s := DefaultSettings()
	s.BatchBytes = 300
	a, q := newTestAccumulator(3, s)
	r := Record{Value: bytes.Repeat([]byte("x"), 100)}
	for range 12 {
		if err := a.add(&r, stickyPartition); err != nil {
			t.Fatal(err)
		}
	}
	bs, _ := q.popAll(nil)
	if len(bs) < 4 {
		t.Fatalf("%d batches", len(bs))
	}
	for i := 1; i < len(bs); i++ {
		if bs[i].partition == bs[i-1].partition {
			t.Errorf("batches %d and %d both on partition %d", i-1, i, bs[i].partition)
		}
	}
}

func TestAccumulatorLinger(t *testing.T) {
	s := DefaultSettings()
	s.Linger = time.Millisecond
	a, q := newTestAccumulator(2, s)
	stop := make(chan struct{})
	defer close(stop)
	go a.lingerLoop(stop)
	if err := a.add(&Record{Value: []byte("x")}, 0); err != nil {
		t.Fatal(err)
	}
	bs, ok := q.popAll(nil) // waits for the linger loop
	if !ok || len(bs) != 1 || len(bs[0].recs) != 1 {
		t.Fatalf("lingered batches %v %v", bs, ok)
	}
}

func TestAccumulatorBufferLimit(t *testing.T) {
	s := DefaultSettings()
	s.BufferBytes, s.BatchBytes = 250, 1000
	a, q := newTestAccumulator(1, s)
	r := Record{Value: bytes.Repeat([]byte("x"), 100)}
	for range 2 {
		if err := a.add(&r, 0); err != nil {
			t.Fatal(err)
		}
	}
	added := make(chan error)
	go func() { added <- a.add(&r, 0) }() // 300 > 250: waits
	bs, _ := q.popAll(nil)                // the wait sealed the open batch
	select {
	case err := <-added:
		t.Fatalf("add did not wait: %v", err)
	default:
	}
	if !a.claim(bs[0]) {
		t.Fatal("claim failed")
	}
	a.release(bs[0])
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	go func() { added <- a.add(&Record{Value: bytes.Repeat([]byte("y"), 200)}, 0) }()
	bs, _ = q.popAll(nil) // the third record's batch, sealed by the next wait
	if len(bs) != 1 {
		t.Fatalf("%d batches", len(bs))
	}
	a.close() // wakes the waiting add
	if err := <-added; err != errClosed {
		t.Errorf("waiting add after close: %v", err)
	}
	if got := a.abandon(); len(got) != 1 {
		t.Errorf("abandoned %d batches", len(got))
	}
	select {
	case <-a.idle:
	default:
		t.Error("not idle after abandon")
	}
	if a.claim(bs[0]) {
		t.Error("claimed an abandoned batch")
	}
}

// TestPreEncodedRecordsAvailable fails when a sarama release renamed the
// fields the batch path fills with pre-encoded records: kq would still
// work, but encode every batch twice.
func TestPreEncodedRecordsAvailable(t *testing.T) {
	if !preEncodedRecords.ok() {
		t.Fatal("sarama.RecordBatch has no compressedRecords []byte / recordsLen int: the batch path falls back to Record structs")
	}
	var b batch
	b.reset(0, 0)
	r := Record{Key: []byte("k"), Value: []byte("v")}
	b.add(&r, 5, 0, b.recordSize(&r, 5))
	rb := b.recordBatch(sarama.CompressionNone)
	if len(rb.Records) != 1 || rb.Records[0] != nil {
		t.Errorf("records %v, want one placeholder", rb.Records)
	}
}
