package seqmsg

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		size int
	}{
		{Value{0, 0}, 0},
		{Value{7, 123456}, 100},
		{Value{4294967295, 18446744073709551615}, MinSize},
		{Value{3, 9}, 1000},
	} {
		b := Encode(nil, tc.v, tc.size)
		if tc.size > MinSize && len(b) != tc.size {
			t.Errorf("Encode(%v, %d): len %d", tc.v, tc.size, len(b))
		}
		got, err := Decode(b)
		if err != nil || got != tc.v {
			t.Errorf("Decode(Encode(%v)) = %v, %v", tc.v, got, err)
		}
		var d Decoder
		if got, err := d.Decode(b); err != nil || got != tc.v {
			t.Errorf("Decoder.Decode(Encode(%v)) = %v, %v", tc.v, got, err)
		}
	}
}

// Every size of value decodes with both decoders (crc32 takes different
// paths by length).
func TestRoundTripEverySize(t *testing.T) {
	var d Decoder
	for size := 0; size <= 300; size++ {
		v := Value{Producer: uint32(size), Seq: uint64(size) * 7919}
		b := Encode(nil, v, size)
		if got, err := Decode(b); err != nil || got != v {
			t.Fatalf("size %d: Decode = %v, %v", size, got, err)
		}
		if got, err := d.Decode(b); err != nil || got != v {
			t.Fatalf("size %d: Decoder.Decode = %v, %v", size, got, err)
		}
	}
}

func TestEncodeAppends(t *testing.T) {
	b := Encode([]byte("xx"), Value{1, 2}, 50)
	if string(b[:2]) != "xx" || len(b) != 52 {
		t.Fatalf("Encode did not append: %q", b)
	}
	if v, err := Decode(b[2:]); err != nil || v != (Value{1, 2}) {
		t.Fatalf("Decode = %v, %v", v, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Encode(nil, Value{5, 42}, 64)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-1] ^= 1
	seqChanged := append([]byte(nil), good...)
	seqChanged[len(Prefix)+2] = '3' // 42 -> 32
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"empty":        {nil, ErrNotSeq},
		"plain":        {[]byte("hello"), ErrNotSeq},
		"padding flip": {flipped, ErrCorrupt},
		"seq changed":  {seqChanged, ErrCorrupt},
		"truncated":    {good[:len(Prefix)+4], ErrCorrupt},
		"bad digits":   {[]byte("kq1|a|1|00000000|"), ErrCorrupt},
		"bad crc":      {[]byte("kq1|1|1|zzzzzzzz|"), ErrCorrupt},
	} {
		if _, err := Decode(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
		var d Decoder
		if _, err := d.Decode(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: Decoder: err = %v, want %v", name, err, tc.want)
		}
	}
}

func TestParseValueReadsString(t *testing.T) {
	v := Value{Producer: 7, Seq: 1 << 40}
	got, err := ParseValue(v.String())
	if err != nil || got != v {
		t.Fatalf("ParseValue(%q) = %v, %v", v.String(), got, err)
	}
	for _, bad := range []string{"", "7", "7/", "/1", "x/1", "1/-2", "4294967296/1"} {
		if _, err := ParseValue(bad); err == nil {
			t.Errorf("ParseValue(%q) succeeded", bad)
		}
	}
}

// forge builds a value with the given id fields and a correct checksum,
// hex digits in the given case.
func forge(pid, seq string, upper bool) []byte {
	head := []byte(Prefix + pid + "|" + seq + "|")
	b := append(append([]byte(nil), head...), "00000000|pad"...)
	writeHex(b[len(head):len(head)+8], crc32.ChecksumIEEE(append(head, b[len(head)+9:]...)))
	if upper {
		copy(b[len(head):], bytes.ToUpper(b[len(head):len(head)+8]))
	}
	return b
}

func TestDecodeChecksOverflowAndReadsAnyHexCase(t *testing.T) {
	if v, err := Decode(forge("4294967295", "18446744073709551615", true)); err != nil || v != (Value{4294967295, 18446744073709551615}) {
		t.Errorf("largest ids, upper-case checksum: %v, %v", v, err)
	}
	for _, tc := range [][2]string{{"4294967296", "1"}, {"1", "18446744073709551616"}, {"99999999999", "1"}} {
		if _, err := Decode(forge(tc[0], tc[1], false)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("producer %s seq %s: err = %v, want %v", tc[0], tc[1], err, ErrCorrupt)
		}
	}
}

// BenchmarkEncodeDecode is the verify producers' encoding of a 100-byte
// value into a fresh buffer and the checker's decoding of it.
//
//	go test ./internal/seqmsg -run '^$' -bench . -benchmem
func BenchmarkEncodeDecode(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Decode(Encode(nil, Value{Producer: 1, Seq: uint64(i)}, 100)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEncodeFormat pins the wire format: values encoded by an earlier
// version of Encode, which a history file or a topic may still hold.
func TestEncodeFormat(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		size int
		want string
	}{
		{Value{7, 123456}, 100, "kq1|7|123456|d4c8fa47|ijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh"},
		{Value{0, 0}, 0, "kq1|0|0|7a8d03ac|"},
		{Value{3, 25}, 60, "kq1|3|25|b38c4480|zabcdefghijklmnopqrstuvwxyzabcdefghijklmno"},
		{Value{4294967295, 18446744073709551615}, 300, "kq1|4294967295|18446744073709551615|dcc2b8d2|" +
			strings.Repeat("pqrstuvwxyzabcdefghijklmno", 9) + "pqrstuvwxyzabcdefghij"},
	} {
		if got := string(Encode(nil, tc.v, tc.size)); got != tc.want {
			t.Errorf("Encode(%v, %d) =\n%q, want\n%q", tc.v, tc.size, got, tc.want)
		}
	}
}

// TestEncodeMatchesSpec checks Encode against the format as the package
// comment states it, built the plain way, for every padding length up to
// a few hundred bytes (the checksum's fast path starts at 64) and
// sequence numbers that start the padding at each letter.
func TestEncodeMatchesSpec(t *testing.T) {
	for size := 0; size < 400; size++ {
		for _, seq := range []uint64{0, 1, 25, 26, 1234567, 1<<64 - 1} {
			v := Value{Producer: uint32(size * 7919), Seq: seq}
			head := fmt.Sprintf("%s%d|%d|", Prefix, v.Producer, v.Seq)
			var pad []byte
			for i := 0; len(head)+9+len(pad) < size; i++ {
				pad = append(pad, byte('a'+(seq%26+uint64(i))%26))
			}
			sum := crc32.ChecksumIEEE(append([]byte(head), pad...))
			want := fmt.Sprintf("%s%08x|%s", head, sum, pad)
			if got := string(Encode([]byte("x"), v, size)); got != "x"+want {
				t.Fatalf("Encode(%v, %d) =\n%q, want\n%q", v, size, got[1:], want)
			}
		}
	}
}

// BenchmarkEncode is a verify producer's encoding of its next 100-byte
// value into the buffer it reuses.
//
//	go test ./internal/seqmsg -run '^$' -bench . -benchmem
func BenchmarkEncode(b *testing.B) {
	var dst []byte
	for i := uint64(0); b.Loop(); i++ {
		dst = Encode(dst[:0], Value{Producer: 3, Seq: 1_000_000 + i}, 100)
	}
	if _, err := Decode(dst); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDecode is a verify consumer's decoding of a 100-byte value.
func BenchmarkDecode(b *testing.B) {
	v := Encode(nil, Value{Producer: 3, Seq: 1_234_567}, 100)
	for b.Loop() {
		if got, err := Decode(v); err != nil || got.Seq != 1_234_567 {
			b.Fatal(got, err)
		}
	}
}

// BenchmarkDecoder is BenchmarkDecode with a Decoder, as a verify
// consumer decodes.
func BenchmarkDecoder(b *testing.B) {
	var d Decoder
	v := Encode(nil, Value{Producer: 3, Seq: 1_234_567}, 100)
	for b.Loop() {
		if got, err := d.Decode(v); err != nil || got.Seq != 1_234_567 {
			b.Fatal(got, err)
		}
	}
}
