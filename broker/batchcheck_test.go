package broker_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
)

// goodRecords encodes n well-formed records with keys, values and a
// header.
func goodRecords(n int) []byte {
	var out []byte
	for i := range n {
		r := kmsg.NewRecord()
		r.OffsetDelta = int32(i)
		r.TimestampDelta64 = int64(i)
		r.Key = fmt.Appendf(nil, "k%d", i)
		r.Value = bytes.Repeat([]byte{'v'}, i*10)
		r.Headers = []kmsg.Header{{Key: "h", Value: []byte{0xff, 0}}}
		out = broker.AppendRecord(out, r)
	}
	return out
}

// batchOf wraps raw records in a v2 batch claiming count records, with
// a correct length and CRC.
func batchOf(records []byte, count int32, codec int16) []byte {
	b := kmsg.NewRecordBatch()
	b.Magic = 2
	b.Attributes = codec
	b.LastOffsetDelta = count - 1
	b.ProducerID, b.ProducerEpoch, b.FirstSequence = -1, -1, -1
	b.NumRecords = count
	b.Records = records
	return broker.EncodeBatch(b)
}

// goodBatch is an uncompressed batch of n good records.
func goodBatch(n int) []byte { return batchOf(goodRecords(n), int32(n), 0) }

// compressed compresses records with franz-go's own compressor.
func compressed(t testing.TB, records []byte, codec kgo.CompressionCodec) ([]byte, int16) {
	t.Helper()
	c, err := kgo.DefaultCompressor(codec)
	if err != nil {
		t.Fatal(err)
	}
	out, typ := c.Compress(new(bytes.Buffer), records)
	return append([]byte(nil), out...), int16(typ)
}

// xerial frames records as Java's snappy-java does.
func xerial(records []byte) []byte {
	out := []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}
	for len(records) > 0 {
		n := min(len(records), 100)
		chunk := s2.EncodeSnappy(nil, records[:n])
		out = binary.BigEndian.AppendUint32(out, uint32(len(chunk)))
		out = append(out, chunk...)
		records = records[n:]
	}
	return out
}

// rawRecord encodes a record field by field, so tests can break any of
// them: length (or -1 to compute it), offset delta, key and value lengths
// and bytes, header count and headers as given.
func rawRecord(length, delta, keyLen int64, key []byte, valLen int64, val []byte, tail ...byte) []byte {
	body := []byte{0}                   // attributes
	body = binary.AppendVarint(body, 0) // timestamp delta
	body = binary.AppendVarint(body, delta)
	body = binary.AppendVarint(body, keyLen)
	body = append(body, key...)
	body = binary.AppendVarint(body, valLen)
	body = append(body, val...)
	body = append(body, tail...)
	if length == -1 {
		length = int64(len(body))
	}
	return append(binary.AppendVarint(nil, length), body...)
}

func TestCheckBatchAcceptsGoodBatches(t *testing.T) {
	recs := goodRecords(50)
	cases := map[string][]byte{
		"uncompressed":   batchOf(recs, 50, 0),
		"one record":     goodBatch(1),
		"null key/value": batchOf(rawRecord(-1, 0, -1, nil, -1, nil, 0), 1, 0),
		"xerial snappy":  batchOf(xerial(recs), 50, 2),
	}
	for _, codec := range []kgo.CompressionCodec{kgo.GzipCompression(), kgo.SnappyCompression(), kgo.Lz4Compression(), kgo.ZstdCompression()} {
		data, typ := compressed(t, recs, codec)
		cases[fmt.Sprintf("codec %d", typ)] = batchOf(data, 50, typ)
	}
	for name, batch := range cases {
		if err := broker.CheckBatch(batch); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// corruptBatches are CRC-valid batches whose records are malformed; the
// first two are the inputs of issue 12 that crashed and stalled kfake.
func corruptBatches(t testing.TB) map[string][]byte {
	good := rawRecord(-1, 0, 1, []byte("k"), 1, []byte("v"), 0)
	zeros := make([]byte, maxBatch+1)
	bomb, typ := compressed(t, append(binary.AppendVarint(nil, int64(len(zeros)+8)), zeros...), kgo.ZstdCompression())
	return map[string][]byte{
		"record length -1, huge count":  batchOf(append(binary.AppendVarint(nil, -1), rawRecord(-1, 0, 0, nil, 0, nil, 0)[1:]...), math.MaxInt32, 0),
		"record length past the end":    batchOf(rawRecord(1000, 0, 1, []byte("k"), 1, []byte("v"), 0), 1, 0),
		"record length -1":              batchOf(append(binary.AppendVarint(nil, -1), good[1:]...), 1, 0),
		"record length short of fields": batchOf(rawRecord(4, 0, 1, []byte("k"), 1, []byte("v"), 0), 1, 0),
		"record length past fields":     batchOf(append(rawRecord(10, 0, 1, []byte("k"), 1, []byte("v"), 0), 0, 0, 0), 1, 0),
		"offset delta 1 for record 0":   batchOf(rawRecord(-1, 1, 1, []byte("k"), 1, []byte("v"), 0), 1, 0),
		"key length -2":                 batchOf(rawRecord(-1, 0, -2, nil, 1, []byte("v"), 0), 1, 0),
		"key length past the record":    batchOf(rawRecord(-1, 0, 1<<30, []byte("k"), 1, []byte("v"), 0), 1, 0),
		"value length past the record":  batchOf(rawRecord(-1, 0, 1, []byte("k"), 90, []byte("v"), 0), 1, 0),
		"null header key":               batchOf(rawRecord(-1, 0, 1, []byte("k"), 1, []byte("v"), 2, 1, 0), 1, 0),
		"negative header count":         batchOf(rawRecord(-1, 0, 1, []byte("k"), 1, []byte("v"), 1), 1, 0),
		"header count past the record":  batchOf(rawRecord(-1, 0, 1, []byte("k"), 1, []byte("v"), 0xfe, 0xff, 0xff, 0xff, 0x07), 1, 0),
		"six-byte varint":               batchOf(append([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, good[1:]...), 1, 0),
		"fewer records than counted":    batchOf(goodRecords(3), 4, 0),
		"more records than counted":     batchOf(goodRecords(3), 2, 0),
		"zero records":                  batchOf(nil, 0, 0),
		"negative record count":         batchOf(nil, -5, 0),
		"gzip garbage":                  batchOf([]byte("not gzip at all"), 1, 1),
		"snappy garbage":                batchOf([]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 1}, 1, 2),
		"lz4 garbage":                   batchOf([]byte("not lz4 at all"), 1, 3),
		"zstd garbage":                  batchOf([]byte("not zstd at all"), 1, 4),
		"codec 5":                       batchOf(goodRecords(1), 1, 5),
		"zstd bomb over the cap":        batchOf(bomb, 1, typ),
		"two batches in one":            append(goodBatch(1), goodBatch(1)...),
		"truncated header":              goodBatch(1)[:40],
	}
}

// maxBatch mirrors the broker's cap on what a batch decompresses to.
const maxBatch = 100 << 20

func TestCheckBatchRefusesCorruptBatches(t *testing.T) {
	for name, batch := range corruptBatches(t) {
		if err := broker.CheckBatch(batch); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, broker.ErrCorrupt) {
			t.Errorf("%s: error %v does not mark a corrupt batch", name, err)
		}
	}
}

func TestBatchRecordsRoundTrip(t *testing.T) {
	var b kmsg.RecordBatch
	if err := b.ReadFrom(goodBatch(20)); err != nil {
		t.Fatal(err)
	}
	recs, err := broker.BatchRecords(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 20 || string(recs[19].Key) != "k19" || len(recs[19].Value) != 190 {
		t.Fatalf("decoded %d records, last %q", len(recs), recs[len(recs)-1].Key)
	}
	for name, raw := range corruptBatches(t) {
		var b kmsg.RecordBatch
		if b.ReadFrom(raw) != nil || int(b.Length) != len(raw)-12 {
			continue // not one batch: the walk is not reached
		}
		if _, err := broker.BatchRecords(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
