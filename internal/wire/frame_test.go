package wire

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

func TestReadFrameRoundTrip(t *testing.T) {
	payloads := [][]byte{{}, []byte("a"), bytes.Repeat([]byte("xyz"), 50000)}
	var stream []byte
	for _, p := range payloads {
		stream = AppendFrame(stream, p)
	}
	r := iotest.OneByteReader(bytes.NewReader(stream))
	for i, want := range payloads {
		got, err := ReadFrame(r, MaxFrameSize)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d: got %d bytes, want %d", i, len(got), len(want))
		}
	}
	if _, err := ReadFrame(r, MaxFrameSize); err != io.EOF {
		t.Fatalf("after the last frame: err = %v, want io.EOF", err)
	}
}

func TestReadFrameRefusesBadLengths(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix []byte
		limit  int
	}{
		{"over the limit", []byte{0, 0, 0x10, 0x01}, 4096},
		{"negative", []byte{0xff, 0xff, 0xff, 0xfe}, MaxFrameSize},
		{"tls client hello", []byte{0x16, 0x03, 0x01, 0x02}, MaxFrameSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tc.prefix), tc.limit)
			if !errors.Is(err, ErrFrameSize) {
				t.Fatalf("err = %v, want ErrFrameSize", err)
			}
		})
	}
}

func TestReadFrameTruncated(t *testing.T) {
	frame := AppendFrame(nil, []byte("hello world"))
	for _, cut := range []int{2, 4, 8} {
		_, err := ReadFrame(bytes.NewReader(frame[:cut]), MaxFrameSize)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: err = %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
}

// TestReadFrameLyingLengthAllocatesLittle checks that a prefix announcing
// a huge frame followed by a few bytes allocates about what arrived, not
// what was announced.
func TestReadFrameLyingLengthAllocatesLittle(t *testing.T) {
	stream := append([]byte{0x05, 0xff, 0xff, 0xff}, []byte("tiny")...) // ~100 MB announced
	before := totalAlloc()
	for range 5 {
		if _, err := ReadFrame(bytes.NewReader(stream), MaxFrameSize); err == nil {
			t.Fatal("truncated frame accepted")
		}
	}
	if grown := totalAlloc() - before; grown > 5*(256<<10) {
		t.Fatalf("5 lying frames allocated %d bytes", grown)
	}
}

func totalAlloc() uint64 {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.TotalAlloc
}

// TestReadFrameIntoReusesBuffer reads frames of several sizes through one
// buffer: each comes back whole, in the buffer's array while it has room.
func TestReadFrameIntoReusesBuffer(t *testing.T) {
	payloads := [][]byte{bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("bc"), 90000), {}, []byte("d"), bytes.Repeat([]byte("e"), 5000)}
	var stream []byte
	for _, p := range payloads {
		stream = AppendFrame(stream, p)
	}
	r := iotest.HalfReader(bytes.NewReader(stream))
	buf := make([]byte, 0, 1000)
	for i, want := range payloads {
		got, err := ReadFrameInto(r, MaxFrameSize, buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d: got %d bytes, want %d", i, len(got), len(want))
		}
		if len(want) > 0 && len(want) <= cap(buf) && &got[:1][0] != &buf[:1][0] {
			t.Fatalf("frame %d (%d bytes) not read into the %d-byte buffer given", i, len(want), cap(buf))
		}
		buf = got[:0]
	}
	if cap(buf) < 180000 {
		t.Fatalf("buffer kept %d bytes of room, want the largest frame's", cap(buf))
	}
}
