package fetch

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/internal/wire"
)

// Aborted is one entry of a fetched partition's aborted-transaction index.
type Aborted struct {
	ProducerID, FirstOffset int64
}

// rawWalker walks the record batches of a fetch response's bytes without
// decoding them into structs: a record's key and value point into the
// bytes, and only headers and compressed batches allocate.
type rawWalker struct {
	txnFilter
	next, from int64
	visit      func(*Record)
	rec        Record
	dec        kgo.Decompressor
}

// WalkRaw is [Walk] over the record bytes of one fetched partition (a
// FetchResponse partition's RecordBatches) and its aborted-transaction
// index. A batch cut short by the size limit ends the walk with partial
// set; a malformed or corrupt batch (its CRC-32C does not match) ends it
// with a sarama.PacketDecodingError after the records before it.
func WalkRaw(data []byte, aborted []Aborted, from int64, iso sarama.IsolationLevel, visit func(*Record)) (next int64, partial bool, err error) {
	w := rawWalker{next: from, from: from, visit: visit}
	w.txnFilter.init(aborted, iso)
	return w.walk(data)
}

func (w *rawWalker) walk(data []byte) (int64, bool, error) {
	for len(data) > 0 {
		if len(data) < wire.LogOverhead {
			return w.next, true, nil
		}
		size := int(int32(binary.BigEndian.Uint32(data[8:12])))
		if size < wire.BatchMagic+1-wire.LogOverhead {
			return w.next, false, decodeErr("record batch length %d", size)
		}
		if len(data) < wire.LogOverhead+size {
			return w.next, true, nil
		}
		one := data[:wire.LogOverhead+size]
		data = data[wire.LogOverhead+size:]
		var err error
		switch magic := one[wire.BatchMagic]; magic {
		case 2:
			err = w.batch(one)
		case 0, 1:
			err = w.legacy(one, magic)
		default:
			err = decodeErr("unknown record batch magic %d", magic)
		}
		if err != nil {
			return w.next, false, err
		}
	}
	return w.next, false, nil
}

// batch walks one whole record batch.
func (w *rawWalker) batch(b []byte) error {
	if len(b) < wire.BatchHeaderLen {
		return decodeErr("record batch of %d bytes", len(b))
	}
	first := int64(binary.BigEndian.Uint64(b))
	if wire.BatchChecksum(b) != binary.BigEndian.Uint32(b[wire.BatchCRC:]) {
		return decodeErr("record batch at offset %d: CRC didn't match", first)
	}
	attrs := binary.BigEndian.Uint16(b[wire.BatchAttributes:])
	last := first + int64(int32(binary.BigEndian.Uint32(b[wire.BatchLastDelta:])))
	control := attrs&wire.AttrControl != 0
	records := b[wire.BatchHeaderLen:]
	if control {
		if err := w.control(b, records, last); err != nil {
			return err
		}
		w.next = max(w.next, last+1)
		return nil
	}
	if w.hide(first, last, attrs&wire.AttrTransactional != 0, int64(binary.BigEndian.Uint64(b[wire.BatchProducerID:]))) {
		w.next = max(w.next, last+1)
		return nil
	}
	if codec := attrs & wire.AttrCodec; codec != 0 {
		if w.dec == nil {
			w.dec = kgo.DefaultDecompressor()
		}
		var err error
		if records, err = w.dec.Decompress(records, kgo.CompressionCodecType(codec)); err != nil {
			return decodeErr("record batch at offset %d: decompress: %v", first, err)
		}
	}
	firstTime := millisTime(int64(binary.BigEndian.Uint64(b[wire.BatchFirstTime:])))
	maxTime := millisTime(int64(binary.BigEndian.Uint64(b[wire.BatchMaxTime:])))
	n := int(int32(binary.BigEndian.Uint32(b[wire.BatchRecordCount:])))
	d := decoder{b: records}
	for range n {
		if err := w.record(&d, first, firstTime, maxTime, attrs&wire.AttrLogAppendTime != 0); err != nil {
			return fmt.Errorf("record batch at offset %d: %w", first, err)
		}
	}
	w.next = max(w.next, last+1)
	return nil
}

// control applies a control batch to the transaction filter.
func (w *rawWalker) control(b, records []byte, last int64) error {
	pid := int64(binary.BigEndian.Uint64(b[wire.BatchProducerID:]))
	d := decoder{b: records}
	d.skipRecordHead()
	key := d.bytes()
	if d.err != nil {
		return fmt.Errorf("control batch before offset %d: %w", last+1, d.err)
	}
	w.controlBatch(last, pid, isAbortKey(key))
	return nil
}

// record decodes one record and visits it when it is at or past from.
func (w *rawWalker) record(d *decoder, first int64, firstTime, maxTime time.Time, logAppend bool) error {
	length := d.varint()
	end := d.pos + int(length)
	if d.err != nil || length < 1 || end > len(d.b) {
		return decodeErr("record of %d bytes in %d", length, len(d.b)-d.pos)
	}
	d.pos++ // attributes
	tsDelta := d.varint()
	off := first + d.varint()
	key := d.bytes()
	value := d.bytes()
	nh := d.varint()
	var headers []*sarama.RecordHeader
	if nh > 0 && d.err == nil {
		if nh > int64(end-d.pos) {
			return decodeErr("record at offset %d: %d headers in %d bytes", off, nh, end-d.pos)
		}
		hs := make([]sarama.RecordHeader, nh)
		headers = make([]*sarama.RecordHeader, nh)
		for i := range hs {
			hs[i].Key, hs[i].Value = d.bytes(), d.bytes()
			headers[i] = &hs[i]
		}
	}
	if d.err != nil || d.pos != end {
		return decodeErr("record at offset %d does not match its length", off)
	}
	if off < w.from {
		return nil
	}
	ts := firstTime.Add(time.Duration(tsDelta) * time.Millisecond)
	if logAppend {
		ts = maxTime
	}
	w.rec = Record{Offset: off, Key: key, Value: value, Headers: headers, Timestamp: ts, BlockTimestamp: maxTime}
	w.visit(&w.rec)
	return nil
}

// legacy walks one uncompressed pre-0.11 message (magic 0 or 1).
func (w *rawWalker) legacy(m []byte, magic byte) error {
	off := int64(binary.BigEndian.Uint64(m))
	body := m[wire.BatchMagic+1:]
	if len(body) < 1 {
		return decodeErr("message at offset %d: too short", off)
	}
	attrs := body[0]
	body = body[1:]
	var ts time.Time
	if magic == 1 {
		if len(body) < 8 {
			return decodeErr("message at offset %d: too short", off)
		}
		ts = millisTime(int64(binary.BigEndian.Uint64(body)))
		body = body[8:]
	}
	if attrs&wire.AttrCodec != 0 {
		return fmt.Errorf("offset %d: %w", off, ErrLegacyCompressed)
	}
	d := decoder{b: body}
	key, value := d.bytes32(), d.bytes32()
	if d.err != nil {
		return fmt.Errorf("message at offset %d: %w", off, d.err)
	}
	if off >= w.from {
		w.rec = Record{Offset: off, Key: key, Value: value, Timestamp: ts}
		w.visit(&w.rec)
	}
	w.next = max(w.next, off+1)
	return nil
}

// millisTime is a record timestamp: the zero time for a negative one
// (none), as sarama decodes it.
func millisTime(ms int64) time.Time {
	if ms < 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// isAbortKey reports whether a control record's key (version int16, type
// int16) is an abort marker's.
func isAbortKey(key []byte) bool {
	return len(key) >= 4 && binary.BigEndian.Uint16(key[2:4]) == controlAbort
}

func decodeErr(format string, args ...any) error {
	return sarama.PacketDecodingError{Info: fmt.Sprintf(format, args...)}
}

// decoder reads the varint-framed fields of records; the first error
// sticks and later reads return zero values.
type decoder struct {
	b   []byte
	pos int
	err error
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.pos:])
	if n <= 0 {
		d.err = decodeErr("bad varint")
		return 0
	}
	d.pos += n
	return v
}

// bytes reads a varint-length byte string (-1: null).
func (d *decoder) bytes() []byte {
	n := d.varint()
	return d.take(n)
}

// bytes32 reads an int32-length byte string (-1: null).
func (d *decoder) bytes32() []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b)-d.pos < 4 {
		d.err = decodeErr("short byte string length")
		return nil
	}
	n := int64(int32(binary.BigEndian.Uint32(d.b[d.pos:])))
	d.pos += 4
	return d.take(n)
}

func (d *decoder) take(n int64) []byte {
	if d.err != nil || n < 0 {
		return nil
	}
	if n > int64(len(d.b)-d.pos) {
		d.err = decodeErr("byte string of %d bytes in %d", n, len(d.b)-d.pos)
		return nil
	}
	s := d.b[d.pos : d.pos+int(n) : d.pos+int(n)]
	d.pos += int(n)
	return s
}

// skipRecordHead skips a record's length, attributes, timestamp delta and
// offset delta.
func (d *decoder) skipRecordHead() {
	d.varint()
	if d.err == nil {
		if d.pos >= len(d.b) {
			d.err = decodeErr("short record")
			return
		}
		d.pos++
	}
	d.varint()
	d.varint()
}
