package broker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake trusts what a connection sends: it allocates whatever a frame's
// length prefix claims (4 GiB for "GET " from an HTTP client) and calls a
// method on a nil request for an API key kmsg does not know, which kills the
// process. guardConn stands between the socket (after TLS) and kfake's
// frame reader and hands kfake only frames that are whole and plausible:
//
//   - a length between the shortest request header and Kafka's
//     socket.request.max.bytes (100 MiB);
//   - an API key kmsg knows, at a version it can decode (any version of
//     ApiVersions, which kfake answers with UNSUPPORTED_VERSION as Kafka
//     does);
//   - a header that fits in the frame.
//
// A frame is read whole before kfake sees its length prefix, and its buffer
// grows only as bytes arrive, so a lying prefix costs what was sent, not
// what was claimed. Anything else closes the connection, as Kafka does for
// an invalid request.

// readBuffer is the read buffer of each guarded connection.
const readBuffer = 16 << 10

// keepBuffer is the largest frame buffer a guarded connection keeps for
// its next frame. A buffer per frame, allocated, zeroed and grown as the
// bytes arrived, was a seventh of the broker's CPU in a verify run
// (BENCHMARKS.md, session 9); a connection that once sent a larger frame
// lets its buffer go.
const keepBuffer = 8 << 20

// errRefused marks a frame the guard refused; the connection is closed.
var errRefused = errors.New("broker: refused request")

// guard counts what the guarded connections of a broker refused and logs
// it.
type guard struct {
	refused atomic.Int64 // connections closed
	corrupt atomic.Int64 // produced batches answered with CORRUPT_MESSAGE
	log     io.Writer    // nil: no log
}

func (g *guard) refuse(c net.Conn, err error) {
	g.refused.Add(1)
	g.logf("closing connection from %s: %v", c.RemoteAddr(), err)
}

func (g *guard) corruptBatch(c net.Conn, err error) {
	g.corrupt.Add(1)
	g.logf("client %s: %v", c.RemoteAddr(), err)
}

func (g *guard) logf(format string, args ...any) {
	if g.log != nil {
		fmt.Fprintf(g.log, "kq broker: "+format+"\n", args...)
	}
}

// guardConn is a server-side connection whose Read yields only checked
// request frames.
type guardConn struct {
	net.Conn
	r *bufio.Reader
	g *guard

	// rewrite, when set, may replace each checked request (OAUTHBEARER).
	rewrite func(frame []byte, h wire.RequestHeader) []byte

	prefix [4]byte
	head   []byte // unread part of prefix
	body   []byte // unread part of the frame payload
	// buf is the array the next frame is read into (see keepBuffer); the
	// frame read into it last is handed out whole before the next one is
	// read, and nothing the hooks see is kept past their call.
	buf []byte

	// onFrame, when set, sees every checked frame payload before kfake.
	onFrame func(wire.RequestHeader, []byte)
}

func newGuardConn(c net.Conn, g *guard) *guardConn {
	return &guardConn{Conn: c, r: bufio.NewReaderSize(c, readBuffer), g: g}
}

// Read hands out the current checked frame, reading and checking the next
// one when it is used up.
func (c *guardConn) Read(p []byte) (int, error) {
	if len(c.head) == 0 && len(c.body) == 0 {
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.head)
	c.head = c.head[n:]
	m := copy(p[n:], c.body)
	c.body = c.body[m:]
	return n + m, nil
}

// next reads one frame and checks it; the batches of a Produce request
// are checked too.
func (c *guardConn) next() error {
	frame, err := wire.ReadFrameInto(c.r, wire.MaxFrameSize, c.buf)
	c.buf = nil
	if err == nil && cap(frame) <= keepBuffer {
		c.buf = frame[:0]
	}
	var h wire.RequestHeader
	if err == nil {
		h, err = checkRequest(frame)
	}
	if errors.Is(err, wire.ErrFrameSize) || errors.Is(err, errRefused) {
		c.g.refuse(c.Conn, err)
		return err
	}
	if err != nil {
		return err
	}
	if h.Key == apiProduce {
		var bad []error
		frame, bad = checkProduce(frame, h)
		for _, err := range bad {
			c.g.corruptBatch(c.Conn, err)
		}
	}
	if c.rewrite != nil {
		frame = c.rewrite(frame, h)
	}
	if c.onFrame != nil {
		c.onFrame(h, frame)
	}
	c.prefix = [4]byte{byte(len(frame) >> 24), byte(len(frame) >> 16), byte(len(frame) >> 8), byte(len(frame))}
	c.head, c.body = c.prefix[:], frame
	return nil
}

// checkRequest returns an error wrapping errRefused when a request frame
// payload must not reach kfake.
func checkRequest(frame []byte) (wire.RequestHeader, error) {
	h, err := wire.ParseRequestHeader(frame)
	if err != nil {
		return h, fmt.Errorf("%w: %d-byte frame: %w", errRefused, len(frame), err)
	}
	req := kmsg.RequestForKey(h.Key)
	if req == nil {
		return h, fmt.Errorf("%w: unknown api key %d", errRefused, h.Key)
	}
	if h.Version < 0 || (h.Key != wire.APIVersionsKey && h.Version > req.MaxVersion()) {
		return h, fmt.Errorf("%w: %s version %d (kq broker decodes up to %d)", errRefused, kmsg.NameForKey(h.Key), h.Version, req.MaxVersion())
	}
	return h, nil
}

// Refused returns the number of connections the broker closed because
// they sent something that is not a Kafka request it can decode: a length
// prefix over 100 MiB or under a header, an unknown API key or version.
func (b *Broker) Refused() int64 { return b.guard.refused.Load() }

// CorruptBatches returns the number of produced batches the broker
// answered with CORRUPT_MESSAGE because their records were malformed.
func (b *Broker) CorruptBatches() int64 { return b.guard.corrupt.Load() }
