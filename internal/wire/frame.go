// Package wire reads and checks Kafka's wire framing: length-prefixed
// frames with a size cap that allocate only what arrives, and request and
// response headers, and the layout of a record batch (batch.go). The
// built-in broker, the chaos proxy and the raw log reader (internal/fetch)
// share it.
package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
func ReadFrame(r io.Reader, limit int) ([]byte, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	n, err := FrameLen(prefix[:], limit)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(min(n, 64<<10))
	got, err := io.CopyN(&buf, r, int64(n))
	if got < int64(n) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("wire: read frame: %w", err)
	}
	return buf.Bytes(), nil
}

// AppendFrame appends payload to dst behind its 4-byte big-endian length
// prefix.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}
