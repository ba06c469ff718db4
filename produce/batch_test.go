package produce

import (
	"bytes"
	"runtime"
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
	// A 100-byte record costs about 100 bytes and its metadata.
	s.BufferBytes, s.BatchBytes = 250+2*recMetaBytes, 1000
	a, q := newTestAccumulator(1, s)
	r := Record{Value: bytes.Repeat([]byte("x"), 100)}
	for range 2 {
		if err := a.add(&r, 0); err != nil {
			t.Fatal(err)
		}
	}
	added := make(chan error)
	go func() { added <- a.add(&r, 0) }() // 300 > 250 record bytes: waits
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

// sealedNow pops what the accumulator sealed so far without waiting.
func sealedNow(q *queue[*batch]) []*batch {
	q.push(nil)
	bs, _ := q.popAll(nil)
	return bs[:len(bs)-1]
}

func TestAccumulatorLingerWaitsForUnsettledBatches(t *testing.T) {
	s := DefaultSettings()
	s.Linger = time.Nanosecond // lingered at once: only the unsettled batches hold it
	a, q := newTestAccumulator(2, s)
	r := Record{Value: []byte("x")}
	var first []*batch
	for i := range maxUnsettled {
		if err := a.add(&r, 0); err != nil {
			t.Fatal(err)
		}
		a.sealLingering()
		bs := sealedNow(q)
		if len(bs) != 1 {
			t.Fatalf("round %d: %d batches sealed, want 1", i, len(bs))
		}
		first = append(first, bs...)
	}
	for range 3 {
		if err := a.add(&r, 0); err != nil {
			t.Fatal(err)
		}
		a.sealLingering()
	}
	if bs := sealedNow(q); len(bs) != 0 {
		t.Fatalf("sealed %d batches with %d of the partition unsettled", len(bs), maxUnsettled)
	}
	if err := a.add(&r, 1); err != nil { // another partition is not held
		t.Fatal(err)
	}
	a.sealLingering()
	if bs := sealedNow(q); len(bs) != 1 || bs[0].partition != 1 {
		t.Fatalf("partition 1: sealed %v", bs)
	}
	if !a.claim(first[0]) {
		t.Fatal("claim failed")
	}
	a.release(first[0]) // an answer makes room: the grown batch goes at once
	bs := sealedNow(q)
	if len(bs) != 1 || bs[0].partition != 0 || len(bs[0].recs) != 3 {
		t.Fatalf("after an answer: sealed %d batches (%v), want the 3 records held", len(bs), bs)
	}
}

func TestAccumulatorFullBufferKeepsHeldBatchesOpen(t *testing.T) {
	s := DefaultSettings()
	rec := Record{Value: bytes.Repeat([]byte("x"), 100)}
	s.Linger = time.Hour
	a, q := newTestAccumulator(2, s)
	for range maxUnsettled { // fills the unsettled slots of partition 0
		if err := a.add(&rec, 0); err != nil {
			t.Fatal(err)
		}
		a.seal(a.open[0])
	}
	first := sealedNow(q)
	for range 4 {
		if err := a.add(&rec, 0); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := a.add(&rec, 1); err != nil {
			t.Fatal(err)
		}
	}
	a.limit = a.buffered + 10 // full
	added := make(chan error)
	go func() { added <- a.add(&rec, 1) }() // waits
	bs, _ := q.popAll(nil)                  // and seals partition 1's batch only
	if len(bs) != 1 || bs[0].partition != 1 || len(bs[0].recs) != 2 {
		t.Fatalf("a full buffer sealed %d batches, want partition 1's", len(bs))
	}
	select {
	case err := <-added:
		t.Fatalf("add did not wait: %v", err)
	default:
	}
	a.claim(first[0])
	a.release(first[0])
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if bs := sealedNow(q); len(bs) != 0 { // linger (an hour) has not passed
		t.Fatalf("sealed %d batches before their linger", len(bs))
	}
	a.close()
	bs = sealedNow(q)
	if len(bs) != 2 || len(bs[0].recs)+len(bs[1].recs) != 5 {
		t.Fatalf("close sealed %d batches", len(bs))
	}
}

func TestAccumulatorBufferCountsMetadata(t *testing.T) {
	s := DefaultSettings()
	s.BufferBytes = 1000 * recMetaBytes
	a, _ := newTestAccumulator(1, s)
	empty := Record{Value: []byte{}}
	added := make(chan struct{})
	go func() {
		defer close(added)
		for range 2000 {
			if a.add(&empty, 0) != nil {
				return
			}
		}
	}()
	for {
		a.mu.Lock()
		n := a.buffered
		a.mu.Unlock()
		if n > s.BufferBytes {
			t.Fatalf("buffered %d bytes, limit %d", n, s.BufferBytes)
		}
		select {
		case <-added:
			t.Fatal("2000 empty records fit a buffer of 1000 records' metadata")
		default:
		}
		if n >= s.BufferBytes-2*recMetaBytes {
			break
		}
		runtime.Gosched()
	}
	a.close()
	<-added
}

func TestAccumulatorKeepsFreeBatchesWithinHalfTheBuffer(t *testing.T) {
	s := DefaultSettings()
	s.BufferBytes, s.BatchBytes = 1<<20, 100<<10
	a, q := newTestAccumulator(4, s)
	rec := Record{Value: bytes.Repeat([]byte("x"), 50<<10)}
	for range 3 {
		for p := range int32(4) {
			if err := a.add(&rec, p); err != nil {
				t.Fatal(err)
			}
		}
		a.sealAll()
		for _, b := range sealedNow(q) {
			a.claim(b)
			a.release(b)
		}
	}
	if a.freeBytes > s.BufferBytes/2 || len(a.free) == 0 {
		t.Errorf("kept %d batches of %d bytes for reuse, buffer %d", len(a.free), a.freeBytes, s.BufferBytes)
	}
}

func TestAccumulatorStickyGoesToTheLeastLoadedPartition(t *testing.T) {
	s := DefaultSettings()
	a, _ := newTestAccumulator(4, s)
	for range 50 {
		// Partition 2 has the fewest batches awaiting an answer.
		a.unsettled = []int{3, 1, 0, 4}
		if got := a.leastLoaded(0); got != 2 {
			t.Fatalf("leastLoaded(0) = %d with unsettled %v, want 2", got, a.unsettled)
		}
		// A tie with the current partition moves on to the other one.
		a.unsettled = []int{1, 2, 1, 2}
		if got := a.leastLoaded(0); got != 2 {
			t.Fatalf("leastLoaded(0) = %d with unsettled %v, want 2", got, a.unsettled)
		}
		// The current one stays when it alone is the least loaded.
		a.unsettled = []int{0, 2, 1, 2}
		if got := a.leastLoaded(0); got != 0 {
			t.Fatalf("leastLoaded(0) = %d with unsettled %v, want 0", got, a.unsettled)
		}
	}
	// Ties among others are broken at random: every one gets picked.
	seen := map[int32]bool{}
	a.unsettled = []int{5, 1, 1, 1}
	for range 200 {
		seen[a.leastLoaded(0)] = true
	}
	if len(seen) != 3 || seen[0] {
		t.Errorf("picked %v among tied partitions 1-3", seen)
	}
	one, _ := newTestAccumulator(1, s)
	if got := one.leastLoaded(0); got != 0 {
		t.Errorf("one partition: leastLoaded = %d", got)
	}
}
