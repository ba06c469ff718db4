package seqmsg

import (
	"bytes"
	"errors"
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
	writeHex(b[len(head):len(head)+8], checksum(head, b[len(head)+9:]))
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
