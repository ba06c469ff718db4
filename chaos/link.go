package chaos

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/internal/wire"
)

// respHook sees the response bodies a link forwards, with the API key and
// version of their request.
type respHook interface {
	// wants reports whether the hook looks at responses of key at version.
	wants(key, version int16) bool
	// rewrite returns the body to forward instead (or the same slice).
	rewrite(key, version int16, body []byte) ([]byte, error)
}

// errLinkClosed ends a pump whose link was closed by a fault.
var errLinkClosed = errors.New("chaos: link closed")

// link joins a client-side connection (down) to a broker-side one (up) and
// pumps frames both ways through the engine's faults: requests down to up,
// responses up to down.
type link struct {
	e      *Engine
	addr   string // the broker's address, as the engine's targets name it
	down   net.Conn
	up     net.Conn
	hook   respHook
	flight *inflight
	ctx    context.Context // done once the link is closing
	cancel context.CancelFunc
	rst    atomic.Bool // close TCP sockets with a reset

	opaque  atomic.Bool
	decided chan struct{} // closed once opaque is known

	mu    sync.Mutex
	holes map[string]bool // blackhole faults that silenced the link
}

// startLink registers a link with the engine and starts its two pumps. The
// link closes both connections when either side ends, a fault cuts it, or
// parent is done.
func (e *Engine) startLink(parent context.Context, down, up net.Conn, addr string, hook respHook) *link {
	l := &link{e: e, addr: addr, down: down, up: up, hook: hook, flight: newInflight(),
		decided: make(chan struct{}), holes: map[string]bool{}}
	l.ctx, l.cancel = context.WithCancel(parent)
	e.track(l)
	context.AfterFunc(l.ctx, l.shutdown)
	go l.requests()
	go l.responses()
	return l
}

// close ends the link; rst makes TCP sockets send a reset instead of a
// graceful close. The connections close asynchronously, right after.
func (l *link) close(rst bool) {
	if rst {
		l.rst.Store(true)
	}
	l.cancel()
}

// shutdown closes both connections once the link's context is done.
func (l *link) shutdown() {
	for _, c := range []net.Conn{l.down, l.up} {
		if tc, ok := c.(*net.TCPConn); ok && l.rst.Load() {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
	l.e.untrack(l)
}

// hole silences the link for blackhole fault id. Should the fault have
// been cleared meanwhile (its heal did not see this link yet), the link is
// cut at once, as the heal would have done.
func (l *link) hole(id string) {
	l.mu.Lock()
	l.holes[id] = true
	l.mu.Unlock()
	if !l.e.active(id) && l.unhole(id) {
		l.close(true)
	}
}

// holed reports whether a blackhole silenced the link.
func (l *link) holed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.holes) > 0
}

// unhole forgets blackhole fault id and reports whether it had silenced the
// link, which must then be cut: frames were lost inside it.
func (l *link) unhole(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	had := l.holes[id]
	delete(l.holes, id)
	return had
}

// sleep waits d, or less if the link closes; it reports whether the link
// is still up.
func (l *link) sleep(d time.Duration) bool {
	if d <= 0 {
		return l.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.ctx.Done():
		return false
	}
}

// writeFrame writes payload behind its length prefix, after the bandwidth
// faults let it pass.
func (l *link) writeFrame(w net.Conn, key int16, payload []byte) error {
	if err := l.e.throttle(l.ctx, l.addr, key, len(payload)+4); err != nil {
		return err
	}
	bufs := net.Buffers{binary.BigEndian.AppendUint32(nil, uint32(len(payload))), payload}
	_, err := bufs.WriteTo(w)
	return err
}

// classify peeks at the client's first four bytes: a plausible frame
// length means Kafka framing, anything else (a TLS ClientHello) makes the
// link opaque. It reports false when the client went away first.
func (l *link) classify(br *bufio.Reader) bool {
	defer close(l.decided)
	prefix, err := br.Peek(4)
	if err != nil {
		return false
	}
	if _, err := wire.FrameLen(prefix, wire.MaxFrameSize); err != nil {
		l.opaque.Store(true)
	}
	return true
}

// waitDecided waits until classify ran; false if the link closed first.
func (l *link) waitDecided() bool {
	select {
	case <-l.decided:
		return true
	case <-l.ctx.Done():
		return false
	}
}
