// Package wire reads and checks Kafka's wire framing: length-prefixed
// frames with a size cap that allocate only what arrives, and request and
// response headers, and the layout of a record batch (batch.go). The
// built-in broker, the chaos proxy and the raw log reader (internal/fetch)
// share it.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// MaxFrameSize is the largest frame accepted by default: 100 MiB, Kafka's
// own socket.request.max.bytes default.
const MaxFrameSize = 100 << 20

// ErrFrameSize marks a frame whose length prefix is negative or over the
// size cap: the stream is not Kafka framing (or is hostile).
var ErrFrameSize = errors.New("wire: invalid frame size")

// FrameLen decodes a 4-byte length prefix and checks it against limit.
func FrameLen(prefix []byte, limit int) (int, error) {
	n := int32(binary.BigEndian.Uint32(prefix))
	if n < 0 || int64(n) > int64(limit) {
		return 0, fmt.Errorf("%w: %d bytes (limit %d)", ErrFrameSize, n, limit)
	}
	return int(n), nil
}

// ReadFrame reads one length-prefixed Kafka frame from r and returns its
// payload, without the length prefix. A length over limit (or negative) is
// refused with [ErrFrameSize] before anything is allocated for it, and the
// payload buffer grows only as bytes actually arrive, so a lying length
// prefix cannot make it allocate more than the stream delivers. A stream
// that ends inside a frame gives io.ErrUnexpectedEOF; one that ends cleanly
// between frames gives io.EOF.
func ReadFrame(r io.Reader, limit int) ([]byte, error) { return ReadFrameInto(r, limit, nil) }

// firstChunk is the most a frame's buffer is given before any of its
// payload has arrived.
const firstChunk = 64 << 10

// ReadFrameInto is [ReadFrame] reading the payload into buf's array when
// it has room (buf's length is ignored), so a reader of many frames can
// reuse one buffer instead of allocating, zeroing and growing one per
// frame. Beyond buf's capacity the buffer grows as ReadFrame's does: to
// at most twice what has arrived (firstChunk at first), never past the
// frame's length.
func ReadFrameInto(r io.Reader, limit int, buf []byte) ([]byte, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	n, err := FrameLen(prefix[:], limit)
	if err != nil {
		return nil, err
	}
	buf = buf[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), max(len(buf), firstChunk)))
		}
		k, err := io.ReadFull(r, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+k]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("wire: read frame: %w", err)
		}
	}
	return buf, nil
}

// AppendFrame appends payload to dst behind its 4-byte big-endian length
// prefix.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}
