package broker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// walker reads the records of a batch and counts what it consumed. Every
// length is checked against the bytes left in its record before anything
// is skipped, so a lying length costs nothing.
type walker struct {
	src  byteSource
	fast *sliceSource // src when it is one, read without an interface call
	read int64        // bytes consumed so far
	end  int64        // end of the current record
}

// errRecordFormat reports a record that breaks the v2 record format.
var errRecordFormat = errors.New("bad record")

// walkRecords walks count records from src and checks there is nothing
// after them. each, when set, is called after every record with its index
// and the stream offset where it ends.
func walkRecords(src byteSource, count int32, each func(i int32, end int64)) error {
	w := &walker{src: src}
	w.fast, _ = src.(*sliceSource)
	for i := range count {
		if err := w.record(i); err != nil {
			return fmt.Errorf("%w: record %d of %d: %w", errCorrupt, i, count, err)
		}
		if each != nil {
			each(i, w.read)
		}
	}
	if _, err := src.ReadByte(); err != io.EOF {
		if err != nil {
			return fmt.Errorf("%w: %w", errCorrupt, err)
		}
		return fmt.Errorf("%w: bytes after record %d of %d", errCorrupt, count-1, count)
	}
	return nil
}

// record checks one record: length, attributes, timestamp delta, offset
// delta (which must be its index), key, value and headers, filling the
// length exactly.
func (w *walker) record(i int32) error {
	w.end = math.MaxInt64
	length, err := w.varint32()
	if err != nil {
		return fmt.Errorf("length: %w", err)
	}
	if length < 0 {
		return fmt.Errorf("%w: length %d", errRecordFormat, length)
	}
	w.end = w.read + int64(length)
	if err := w.skip(1); err != nil { // attributes
		return fmt.Errorf("attributes: %w", err)
	}
	if _, err := w.varint(binary.MaxVarintLen64); err != nil {
		return fmt.Errorf("timestamp delta: %w", err)
	}
	delta, err := w.varint32()
	if err != nil {
		return fmt.Errorf("offset delta: %w", err)
	}
	if delta != i {
		return fmt.Errorf("%w: offset delta %d, want %d", errRecordFormat, delta, i)
	}
	if err := w.bytesField("key", true); err != nil {
		return err
	}
	if err := w.bytesField("value", true); err != nil {
		return err
	}
	if err := w.headers(); err != nil {
		return err
	}
	if w.read != w.end {
		return fmt.Errorf("%w: length %d, fields fill %d", errRecordFormat, length, length-int32(w.end-w.read))
	}
	return nil
}

func (w *walker) headers() error {
	n, err := w.varint32()
	if err != nil {
		return fmt.Errorf("header count: %w", err)
	}
	if n < 0 {
		return fmt.Errorf("%w: header count %d", errRecordFormat, n)
	}
	for h := range n {
		if err := w.bytesField("header key", false); err != nil {
			return fmt.Errorf("header %d: %w", h, err)
		}
		if err := w.bytesField("header value", true); err != nil {
			return fmt.Errorf("header %d: %w", h, err)
		}
	}
	return nil
}

// bytesField skips a varint-length-prefixed field; -1 (null) is allowed
// when nullable.
func (w *walker) bytesField(name string, nullable bool) error {
	n, err := w.varint32()
	if err != nil {
		return fmt.Errorf("%s length: %w", name, err)
	}
	if n < 0 && !(nullable && n == -1) {
		return fmt.Errorf("%w: %s length %d", errRecordFormat, name, n)
	}
	if n > 0 {
		if err := w.skip(int64(n)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// errPastRecord reports a field that runs past its record's length.
var errPastRecord = errors.New("runs past the record")

// ReadByte reads one byte of the current record.
func (w *walker) ReadByte() (byte, error) {
	if w.read >= w.end {
		return 0, errPastRecord
	}
	if f := w.fast; f != nil {
		if f.pos >= len(f.b) {
			return 0, io.ErrUnexpectedEOF
		}
		c := f.b[f.pos]
		f.pos++
		w.read++
		return c, nil
	}
	b, err := w.src.ReadByte()
	if err != nil {
		return 0, unexpected(err)
	}
	w.read++
	return b, nil
}

// varint reads a zig-zag varint of at most maxLen bytes.
func (w *walker) varint(maxLen int) (int64, error) {
	if w.fast != nil {
		return w.fastVarint(maxLen)
	}
	var ux uint64
	for i := 0; i < maxLen; i++ {
		b, err := w.ReadByte()
		if err != nil {
			return 0, err
		}
		ux |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return int64(ux>>1) ^ -int64(ux&1), nil
		}
	}
	return 0, fmt.Errorf("%w: varint longer than %d bytes", errRecordFormat, maxLen)
}

// fastVarint is varint reading w.fast's slice in place, with the same
// errors in the same order.
func (w *walker) fastVarint(maxLen int) (int64, error) {
	f := w.fast
	var ux uint64
	for i := 0; i < maxLen; i++ {
		switch {
		case w.read+int64(i) >= w.end:
			return 0, errPastRecord
		case f.pos+i >= len(f.b):
			return 0, io.ErrUnexpectedEOF
		}
		b := f.b[f.pos+i]
		ux |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			f.pos += i + 1
			w.read += int64(i) + 1
			return int64(ux>>1) ^ -int64(ux&1), nil
		}
	}
	return 0, fmt.Errorf("%w: varint longer than %d bytes", errRecordFormat, maxLen)
}

// varint32 reads a varint that must fit an int32, as Kafka's readVarint.
func (w *walker) varint32() (int32, error) {
	v, err := w.varint(binary.MaxVarintLen32)
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("%w: varint %d overflows int32", errRecordFormat, v)
	}
	return int32(v), nil
}

// skip consumes n bytes of the current record.
func (w *walker) skip(n int64) error {
	if n > w.end-w.read {
		return errPastRecord
	}
	if f := w.fast; f != nil {
		if int64(len(f.b)-f.pos) < n {
			return io.ErrUnexpectedEOF
		}
		f.pos += int(n)
		w.read += n
		return nil
	}
	got, err := io.CopyN(io.Discard, w.src, n)
	w.read += got
	if err != nil {
		return unexpected(err)
	}
	return nil
}

// unexpected turns a clean end of input inside a record into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// batchRecords decodes the records of an uncompressed batch once
// [walkRecords] has checked them, so a malformed batch is an error instead
// of a crash or an endless loop (kfake.BatchRecords trusts record lengths).
func batchRecords(b kmsg.RecordBatch) ([]kmsg.Record, error) {
	if b.Attributes&wire.AttrCodec != 0 {
		return nil, fmt.Errorf("%w: compressed", errCorrupt)
	}
	if b.NumRecords <= 0 {
		return nil, fmt.Errorf("%w: record count %d", errCorrupt, b.NumRecords)
	}
	var ends []int64
	if err := walkRecords(&sliceSource{b: b.Records}, b.NumRecords, func(_ int32, end int64) { ends = append(ends, end) }); err != nil {
		return nil, err
	}
	recs := make([]kmsg.Record, len(ends))
	var start int64
	for i, end := range ends {
		if err := recs[i].ReadFrom(b.Records[start:end]); err != nil {
			return nil, fmt.Errorf("%w: record %d: %w", errCorrupt, i, err)
		}
		start = end
	}
	return recs, nil
}
