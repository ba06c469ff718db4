package broker

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake checks a produced batch's header and CRC but never walks its
// records; a CRC-valid batch with a bad record length is stored and later
// crashes or stalls the broker wherever kfake reads records (lookups by
// time, compaction, the marker repair). checkBatch walks the records as
// Kafka's log validator does before kfake sees the batch: exactly one
// magic v2 batch, a positive record count that matches the last offset
// delta, and for every record a length that its fields fill exactly,
// well-formed varints, offset deltas 0, 1, 2, ..., key, value and header
// lengths inside the record, and no bytes after the last record.
// Compressed batches are walked as they decompress, up to maxBatchBytes.

const (
	// maxBatchBytes bounds what one batch may decompress to.
	maxBatchBytes = wire.MaxFrameSize
)

// errCorrupt marks a batch that must be answered with CORRUPT_MESSAGE.
var errCorrupt = errors.New("corrupt record batch")

// checkBatch returns an error wrapping errCorrupt when raw, the records of
// one partition in a Produce request, is not one well-formed batch.
func checkBatch(raw []byte) error {
	b, err := batchHeader(raw)
	if err != nil {
		return err
	}
	src, done, err := recordStream(b)
	if err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	defer done()
	return walkRecords(src, b.NumRecords, nil)
}

// batchHeader decodes and checks the header of the single batch in raw.
func batchHeader(raw []byte) (kmsg.RecordBatch, error) {
	var b kmsg.RecordBatch
	switch {
	case len(raw) < wire.BatchHeaderLen:
		return b, fmt.Errorf("%w: %d bytes, shorter than a batch header", errCorrupt, len(raw))
	case b.ReadFrom(raw) != nil:
		return b, fmt.Errorf("%w: undecodable header", errCorrupt)
	case b.Magic != 2:
		return b, fmt.Errorf("%w: magic %d, want 2", errCorrupt, b.Magic)
	case int64(b.Length) != int64(len(raw))-12:
		return b, fmt.Errorf("%w: batch length %d in %d bytes (one batch per partition)", errCorrupt, b.Length, len(raw))
	case b.NumRecords <= 0:
		return b, fmt.Errorf("%w: record count %d", errCorrupt, b.NumRecords)
	case b.LastOffsetDelta != b.NumRecords-1:
		return b, fmt.Errorf("%w: last offset delta %d for %d records", errCorrupt, b.LastOffsetDelta, b.NumRecords)
	}
	return b, nil
}

// byteSource is what the record walker reads from.
type byteSource interface {
	io.Reader
	io.ByteReader
}

// sliceSource is a byteSource over a byte slice, which the record walker
// reads directly instead of through an interface call per byte.
type sliceSource struct {
	b   []byte
	pos int
}

// ReadByte returns the next byte, or io.EOF at the end.
func (s *sliceSource) ReadByte() (byte, error) {
	if s.pos >= len(s.b) {
		return 0, io.EOF
	}
	c := s.b[s.pos]
	s.pos++
	return c, nil
}

// Read copies the next bytes into p.
func (s *sliceSource) Read(p []byte) (int, error) {
	if s.pos >= len(s.b) {
		return 0, io.EOF
	}
	n := copy(p, s.b[s.pos:])
	s.pos += n
	return n, nil
}

// recordStream returns the batch's records, decompressed as they are read
// and capped at maxBatchBytes, and a function that releases the
// decompressor.
func recordStream(b kmsg.RecordBatch) (byteSource, func(), error) {
	in := bytes.NewReader(b.Records)
	var r io.Reader
	done := func() {}
	switch codec := b.Attributes & wire.AttrCodec; codec {
	case 0:
		return &sliceSource{b: b.Records}, done, nil
	case 1:
		gz, err := gzip.NewReader(in)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		r = gz
	case 2:
		out, err := unsnappy(b.Records)
		if err != nil {
			return nil, nil, err
		}
		return &sliceSource{b: out}, done, nil
	case 3:
		r = lz4.NewReader(in)
	case 4:
		zr, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(maxBatchBytes))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		r, done = zr, zr.Close
	default:
		return nil, nil, fmt.Errorf("compression codec %d", codec)
	}
	return bufio.NewReader(&capReader{r: r, left: maxBatchBytes}), done, nil
}

// errTooBig marks a batch that decompresses to more than maxBatchBytes.
var errTooBig = fmt.Errorf("decompresses to more than %d bytes", maxBatchBytes)

// capReader fails once more than left bytes were read.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		for {
			n, err := c.r.Read(one[:])
			if n > 0 {
				return 0, errTooBig
			}
			if err != nil {
				return 0, err
			}
		}
	}
	p = p[:min(int64(len(p)), c.left)]
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// xerialMagic starts snappy data in the xerial framing Java clients use.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

// unsnappy decodes a raw snappy block or xerial-framed snappy chunks,
// checking the decoded size before decoding.
func unsnappy(src []byte) ([]byte, error) {
	if len(src) < 16 || !bytes.HasPrefix(src, xerialMagic) {
		return snappyBlock(nil, src, maxBatchBytes)
	}
	var out []byte
	for src = src[16:]; len(src) > 0; {
		if len(src) < 4 {
			return nil, errors.New("snappy: truncated xerial chunk")
		}
		n := binary.BigEndian.Uint32(src)
		if uint64(n) > uint64(len(src)-4) {
			return nil, errors.New("snappy: xerial chunk past the end")
		}
		var err error
		if out, err = snappyBlock(out, src[4:4+n], maxBatchBytes-len(out)); err != nil {
			return nil, err
		}
		src = src[4+n:]
	}
	return out, nil
}

// snappyBlock appends the decoded block to dst if it decodes to at most
// limit bytes.
func snappyBlock(dst, block []byte, limit int) ([]byte, error) {
	n, err := s2.DecodedLen(block)
	if err != nil {
		return nil, fmt.Errorf("snappy: %w", err)
	}
	if n > limit {
		return nil, errTooBig
	}
	out, err := s2.Decode(make([]byte, n), block)
	if err != nil {
		return nil, fmt.Errorf("snappy: %w", err)
	}
	return append(dst, out...), nil
}
