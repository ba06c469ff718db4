package fetch

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/wire"
)

// rec is one record to encode in a test batch.
type rec struct {
	offDelta, tsDelta int64
	key, value        []byte
	headers           [][2][]byte
}

func appendVarBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	return append(binary.AppendVarint(dst, int64(len(b))), b...)
}

// encodeRecords encodes records in the KIP-98 (v2) record format.
func encodeRecords(rs []rec) []byte {
	var out []byte
	for _, r := range rs {
		body := []byte{0}
		body = binary.AppendVarint(body, r.tsDelta)
		body = binary.AppendVarint(body, r.offDelta)
		body = appendVarBytes(body, r.key)
		body = appendVarBytes(body, r.value)
		body = binary.AppendVarint(body, int64(len(r.headers)))
		for _, h := range r.headers {
			body = appendVarBytes(appendVarBytes(body, h[0]), h[1])
		}
		out = append(binary.AppendVarint(out, int64(len(body))), body...)
	}
	return out
}

// encodeBatch encodes a v2 record batch with its length and CRC-32C.
func encodeBatch(first int64, attrs uint16, pid, firstTS, maxTS int64, n int, lastDelta int32, records []byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(first))
	b = binary.BigEndian.AppendUint32(b, 0) // length, below
	b = binary.BigEndian.AppendUint32(b, 0) // leader epoch
	b = append(b, 2)
	b = binary.BigEndian.AppendUint32(b, 0) // CRC, below
	b = binary.BigEndian.AppendUint16(b, attrs)
	b = binary.BigEndian.AppendUint32(b, uint32(lastDelta))
	b = binary.BigEndian.AppendUint64(b, uint64(firstTS))
	b = binary.BigEndian.AppendUint64(b, uint64(maxTS))
	b = binary.BigEndian.AppendUint64(b, uint64(pid))
	b = binary.BigEndian.AppendUint16(b, 0) // producer epoch
	b = binary.BigEndian.AppendUint32(b, 0) // base sequence
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = append(b, records...)
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

type seen struct {
	offset     int64
	key, value string
	null       bool
	headers    string
	ts         time.Time
}

func walkAll(t *testing.T, data []byte, aborted []Aborted, from int64, iso sarama.IsolationLevel) ([]seen, int64, bool, error) {
	t.Helper()
	var got []seen
	next, partial, err := WalkRaw(data, aborted, from, iso, func(r *Record) {
		s := seen{offset: r.Offset, key: string(r.Key), value: string(r.Value), null: r.Key == nil, ts: r.Timestamp}
		for _, h := range r.Headers {
			s.headers += string(h.Key) + "=" + string(h.Value) + ";"
		}
		got = append(got, s)
	})
	return got, next, partial, err
}

func TestWalkRawRecordsAndIsolation(t *testing.T) {
	t0 := int64(1_700_000_000_000)
	plain := encodeBatch(10, 0, -1, t0, t0+2000, 3, 2, encodeRecords([]rec{
		{0, 0, nil, []byte("a"), nil},
		{1, 1000, []byte("k"), []byte("b"), [][2][]byte{{[]byte("h1"), []byte("v1")}, {[]byte("h2"), nil}}},
		{2, 2000, []byte{}, []byte("c"), nil},
	}))
	aborted := encodeBatch(13, wire.AttrTransactional, 7, t0, t0, 1, 0, encodeRecords([]rec{{0, 0, nil, []byte("x"), nil}}))
	marker := encodeBatch(14, wire.AttrTransactional|wire.AttrControl, 7, t0, t0, 1, 0, encodeRecords([]rec{{0, 0, []byte{0, 0, 0, 0}, []byte{0, 0, 0, 0, 0, 0}, nil}}))
	appendTime := encodeBatch(15, wire.AttrLogAppendTime, -1, t0, t0+3_600_000, 1, 0, encodeRecords([]rec{{0, 0, nil, []byte("z"), nil}}))
	data := slices.Concat(plain, aborted, marker, appendTime)
	for _, tc := range []struct {
		iso  sarama.IsolationLevel
		want []int64
	}{
		{sarama.ReadCommitted, []int64{11, 12, 15}},
		{sarama.ReadUncommitted, []int64{11, 12, 13, 15}},
	} {
		got, next, partial, err := walkAll(t, data, []Aborted{{ProducerID: 7, FirstOffset: 13}}, 11, tc.iso)
		var offs []int64
		for _, s := range got {
			offs = append(offs, s.offset)
		}
		if err != nil || partial || next != 16 || !slices.Equal(offs, tc.want) {
			t.Fatalf("isolation %v: offsets %v next %d partial %v err %v; want %v, 16", tc.iso, offs, next, partial, err, tc.want)
		}
		if s := got[0]; s.key != "k" || s.value != "b" || s.null || s.headers != "h1=v1;h2=;" || !s.ts.Equal(time.UnixMilli(t0+1000)) {
			t.Errorf("record 11: %+v", s)
		}
		if s := got[1]; s.key != "" || s.null || s.headers != "" {
			t.Errorf("record 12 (empty key): %+v", s)
		}
		if s := got[len(got)-1]; !s.null || s.value != "z" || !s.ts.Equal(time.UnixMilli(t0+3_600_000)) {
			t.Errorf("record 15 (null key, log-append time): %+v", s)
		}
	}
}

func TestWalkRawCompressedPartialAndCorrupt(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(encodeRecords([]rec{{0, 0, nil, []byte("p"), nil}, {1, 0, nil, []byte("q"), nil}}))
	_ = zw.Close()
	gz := encodeBatch(0, 1, -1, 0, 0, 2, 1, z.Bytes())
	next := encodeBatch(2, 0, -1, 0, 0, 1, 0, encodeRecords([]rec{{0, 0, nil, []byte("r"), nil}}))

	got, n, partial, err := walkAll(t, slices.Concat(gz, next[:len(next)-3]), nil, 0, sarama.ReadCommitted)
	if err != nil || !partial || n != 2 || len(got) != 2 || got[0].value != "p" || got[1].value != "q" {
		t.Errorf("gzip batch and a cut one: %+v next %d partial %v err %v", got, n, partial, err)
	}

	bad := slices.Clone(next)
	bad[len(bad)-1] ^= 1
	got, n, _, err = walkAll(t, slices.Concat(gz, bad), nil, 0, sarama.ReadCommitted)
	var pde sarama.PacketDecodingError
	if !errors.As(err, &pde) || Retriable(err) || n != 2 || len(got) != 2 {
		t.Errorf("corrupt second batch: %d records, next %d, err %v; want the first batch, then a decode error", len(got), n, err)
	}
}

func TestWalkRawLegacy(t *testing.T) {
	msg := func(off int64, attrs byte, key, value []byte) []byte {
		b := binary.BigEndian.AppendUint64(nil, uint64(off))
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0) // crc, not checked
		b = append(b, 1, attrs)
		b = binary.BigEndian.AppendUint64(b, 1_700_000_000_000)
		for _, f := range [][]byte{key, value} {
			if f == nil {
				b = binary.BigEndian.AppendUint32(b, 0xffffffff)
				continue
			}
			b = append(binary.BigEndian.AppendUint32(b, uint32(len(f))), f...)
		}
		binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
		return b
	}
	got, n, _, err := walkAll(t, slices.Concat(msg(4, 0, nil, []byte("old")), msg(5, 0, []byte("k"), []byte("v"))), nil, 5, sarama.ReadCommitted)
	if err != nil || n != 6 || len(got) != 1 || got[0].key != "k" || got[0].value != "v" || !got[0].ts.Equal(time.UnixMilli(1_700_000_000_000)) {
		t.Errorf("got %+v next %d err %v", got, n, err)
	}
	_, _, _, err = walkAll(t, msg(6, 1, nil, []byte("zz")), nil, 0, sarama.ReadCommitted)
	if !errors.Is(err, ErrLegacyCompressed) || Retriable(err) {
		t.Errorf("compressed legacy message: %v, want ErrLegacyCompressed, not retriable", err)
	}
}
