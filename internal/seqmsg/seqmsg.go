// Package seqmsg encodes and decodes the numbered values that kq writes for
// delivery testing: `kq produce --gen --seq` produces them and `kq verify`
// checks them.
//
// A value is printable ASCII so that it reads well in kcat or kq consume:
//
//	kq1|<producer>|<sequence>|<crc32 hex>|<padding>
//
// The CRC-32 (IEEE) covers everything before it and the padding, so a value
// altered in transit decodes as [ErrCorrupt] rather than as another message.
// The padding is derived from the sequence number, which lets a value be
// padded to any size without random data.
package seqmsg

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Prefix starts every encoded value.
const Prefix = "kq1|"

// ErrNotSeq is returned by [Decode] for a value that is not a kq sequence
// value at all (it does not start with [Prefix]).
var ErrNotSeq = errors.New("not a kq sequence value")

// ErrCorrupt is returned by [Decode] for a value that starts with [Prefix]
// but is malformed or fails its checksum.
var ErrCorrupt = errors.New("corrupt kq sequence value")

// Value identifies one message of a numbered stream.
type Value struct {
	// Producer is the id of the producer that wrote the message.
	Producer uint32
	// Seq is the message's sequence number within its producer, from 0.
	Seq uint64
}

// MinSize is the size of an encoded value with the largest producer id and
// sequence number and no padding; [Encode] never returns less than the
// header it needs, whatever size is asked for.
const MinSize = len(Prefix) + 10 + 1 + 20 + 1 + 8 + 1

// Encode returns v encoded and padded to size bytes (or to the header's own
// length when size is smaller). It appends to dst, which may be nil.
//
// The checksum is taken over the header and the padding written side by
// side, before the padding moves up to make room for it: one call of
// crc32 over a contiguous value takes its fast path (carry-less
// multiplication, 16 bytes at a time from 64 bytes on), where a call for
// the short header and another for the padding went mostly a byte at a
// time (BENCHMARKS.md, session 7).
func Encode(dst []byte, v Value, size int) []byte {
	start := len(dst)
	dst = slices.Grow(dst, max(size, MinSize))
	dst = append(dst, Prefix...)
	dst = strconv.AppendUint(dst, uint64(v.Producer), 10)
	dst = append(dst, '|')
	dst = strconv.AppendUint(dst, v.Seq, 10)
	dst = append(dst, '|')
	head := len(dst)
	dst = appendPadding(dst, v.Seq, size-(head-start)-len(sumField))
	sum := crc32.ChecksumIEEE(dst[start:])
	end := len(dst)
	dst = append(dst, sumField...)
	copy(dst[head+len(sumField):], dst[head:end])
	copy(dst[head:], sumField)
	writeHex(dst[head:head+8], sum)
	return dst
}

// sumField is the checksum's field (its eight hex digits are written over
// the zeros) with the separator after it.
const sumField = "00000000|"

// Decode parses a value written by [Encode].
func Decode(b []byte) (Value, error) {
	v, head, tail, want, err := parse(b)
	if err != nil {
		return Value{}, err
	}
	if crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, tail) != want {
		return Value{}, ErrCorrupt
	}
	return v, nil
}

// Decoder decodes values as [Decode] does, for a consumer that decodes
// many: it checks a value's checksum in one call over a copy of the bytes
// it covers, side by side in the Decoder's buffer, where Decode checks
// the header and the padding apart, the short header a byte at a time.
// (A copy on the stack would escape to the heap: crc32 calls through a
// function variable.) A Decoder is not safe for concurrent use; its zero
// value is ready.
type Decoder struct {
	buf []byte
}

// Decode parses a value written by [Encode], as the function Decode does.
func (d *Decoder) Decode(b []byte) (Value, error) {
	v, head, tail, want, err := parse(b)
	if err != nil {
		return Value{}, err
	}
	d.buf = append(append(d.buf[:0], head...), tail...)
	if crc32.ChecksumIEEE(d.buf) != want {
		return Value{}, ErrCorrupt
	}
	return v, nil
}

// parse reads a value's fields: the value, the checksummed header and
// padding, and the checksum it carries. It checks all but the checksum.
func parse(b []byte) (v Value, head, tail []byte, want uint32, err error) {
	if len(b) < len(Prefix) || string(b[:len(Prefix)]) != Prefix {
		return Value{}, nil, nil, 0, ErrNotSeq
	}
	rest := b[len(Prefix):]
	pid, rest, ok := field(rest)
	if !ok {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	seq, rest, ok := field(rest)
	if !ok {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	if len(rest) < 9 || rest[8] != '|' {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	want, ok = parseHex(rest[:8])
	if !ok {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	p, ok := parseDecimal(pid, math.MaxUint32)
	if !ok {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	s, ok := parseDecimal(seq, math.MaxUint64)
	if !ok {
		return Value{}, nil, nil, 0, ErrCorrupt
	}
	return Value{Producer: uint32(p), Seq: s}, b[:len(b)-len(rest)], rest[9:], want, nil
}

// String returns v as "producer/seq".
func (v Value) String() string { return fmt.Sprintf("%d/%d", v.Producer, v.Seq) }

// ParseValue parses "producer/seq", the form String writes.
func ParseValue(s string) (Value, error) {
	ps, ss, ok := strings.Cut(s, "/")
	p, perr := strconv.ParseUint(ps, 10, 32)
	q, serr := strconv.ParseUint(ss, 10, 64)
	if !ok || perr != nil || serr != nil {
		return Value{}, fmt.Errorf("value %q: want producer/seq", s)
	}
	return Value{Producer: uint32(p), Seq: q}, nil
}

func field(b []byte) (f, rest []byte, ok bool) {
	for i, c := range b {
		if c == '|' {
			return b[:i], b[i+1:], i > 0
		}
		if c < '0' || c > '9' {
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// letters are the padding's bytes: it runs through them from the one
// the sequence number picks, round and round.
const letters = "abcdefghijklmnopqrstuvwxyz"

// appendPadding appends n bytes of seq's padding: letters from
// letters[seq%26] on, wrapping from z to a.
func appendPadding(dst []byte, seq uint64, n int) []byte {
	run := letters[seq%uint64(len(letters)):]
	for n > 0 {
		k := min(n, len(run))
		dst = append(dst, run[:k]...)
		n -= k
		run = letters
	}
	return dst
}

func writeHex(dst []byte, v uint32) {
	const digits = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		dst[i] = digits[v&0xf]
		v >>= 4
	}
}

// parseHex reads eight lower- or upper-case hex digits (writeHex writes
// lower case).
func parseHex(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, len(b) == 8
}

// parseDecimal reads the decimal digits of b (field checked them) as a
// number no greater than limit, without a string conversion.
func parseDecimal(b []byte, limit uint64) (uint64, bool) {
	var v uint64
	for _, c := range b {
		d := uint64(c - '0')
		if c < '0' || c > '9' || v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, len(b) > 0
}
