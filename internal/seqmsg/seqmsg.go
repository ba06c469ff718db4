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
func Encode(dst []byte, v Value, size int) []byte {
	start := len(dst)
	dst = append(dst, Prefix...)
	dst = strconv.AppendUint(dst, uint64(v.Producer), 10)
	dst = append(dst, '|')
	dst = strconv.AppendUint(dst, v.Seq, 10)
	dst = append(dst, '|')
	head := len(dst)
	dst = append(dst, "00000000|"...)
	pad := size - (len(dst) - start)
	for i := 0; i < pad; i++ {
		dst = append(dst, padByte(v.Seq, i))
	}
	sum := crc32.NewIEEE()
	sum.Write(dst[start:head])
	sum.Write(dst[head+9:])
	writeHex(dst[head:head+8], sum.Sum32())
	return dst
}

// Decode parses a value written by [Encode].
func Decode(b []byte) (Value, error) {
	if len(b) < len(Prefix) || string(b[:len(Prefix)]) != Prefix {
		return Value{}, ErrNotSeq
	}
	rest := b[len(Prefix):]
	pid, rest, ok := field(rest)
	if !ok {
		return Value{}, ErrCorrupt
	}
	seq, rest, ok := field(rest)
	if !ok {
		return Value{}, ErrCorrupt
	}
	if len(rest) < 9 || rest[8] != '|' {
		return Value{}, ErrCorrupt
	}
	want, err := strconv.ParseUint(string(rest[:8]), 16, 32)
	if err != nil {
		return Value{}, ErrCorrupt
	}
	head := len(b) - len(rest)
	sum := crc32.NewIEEE()
	sum.Write(b[:head])
	sum.Write(rest[9:])
	if sum.Sum32() != uint32(want) {
		return Value{}, ErrCorrupt
	}
	p, err := strconv.ParseUint(string(pid), 10, 32)
	if err != nil {
		return Value{}, ErrCorrupt
	}
	s, err := strconv.ParseUint(string(seq), 10, 64)
	if err != nil {
		return Value{}, ErrCorrupt
	}
	return Value{Producer: uint32(p), Seq: s}, nil
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

func padByte(seq uint64, i int) byte {
	return 'a' + byte((seq+uint64(i))%26)
}

func writeHex(dst []byte, v uint32) {
	const digits = "0123456789abcdef"
	for i := 7; i >= 0; i-- {
		dst[i] = digits[v&0xf]
		v >>= 4
	}
}
