package broker

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/kq-dev/kq/internal/wire"
)

// minSessionTimeout lets consumer groups use short session timeouts, so a
// crashed member is noticed quickly in tests and verify runs.
const minSessionTimeout = 1 * time.Second

// listen is kfake's ListenFn: kfake always asks for 127.0.0.1:port; we bind
// the configured host instead, track every accepted connection by port (so a
// stopped node's live connections can be cut), and advertise the configured
// host.
func (b *Broker) listen(network, address string) (net.Listener, error) {
	_, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen(network, net.JoinHostPort(b.opts.Host, port))
	if err != nil {
		return nil, err
	}
	p := ln.Addr().(*net.TCPAddr).Port
	adv := &net.TCPAddr{IP: net.ParseIP(b.opts.AdvertiseHost), Port: p}
	tl := newTrackedListener(newPausable(ln), p, b.conns, adv, b.wrapConn)
	if adv.IP == nil {
		// A host name: kfake only needs Addr().String().
		tl.addr = hostAddr(net.JoinHostPort(b.opts.AdvertiseHost, strconv.Itoa(p)))
	}
	b.conns.listening(p, tl)
	return tl, nil
}

// wrapConn layers TLS (when configured), the frame guard, the topic name
// check, the marker repair, the ListOffsets-by-time correction, the
// segment size shown as the default (segments.go), the replication model
// (replconn.go), the stopped-node rewrite and the keep-alive of members
// awaiting a group answer (awaiting.go) over an accepted connection. TLS is terminated here
// rather than by kfake so the guard and the repair see plaintext frames.
func (b *Broker) wrapConn(c net.Conn) net.Conn {
	if b.opts.TLS != nil {
		c = tls.Server(c, b.opts.TLS)
	}
	g := newGuardConn(c, &b.guard)
	nc := newNameConn(g)
	g.rewrite = nc.request
	if b.oauth != nil {
		auth := b.oauth.rewriter(&b.guard)
		g.rewrite = func(frame []byte, h wire.RequestHeader) []byte { return nc.request(auth(frame, h), h) }
	}
	m := newMarkerConn(nc, &b.txns)
	m.ends = &b.ends
	tc := newTimeConn(m, b)
	cc := newCfgConn(tc)
	inner := net.Conn(cc)
	var rc *replConn
	if b.repl != nil {
		rc = newReplConn(cc, b)
		inner = rc
	}
	dc := newDownConn(inner, b)
	ac := newAwaitConn(dc, b)
	g.onFrame = func(h wire.RequestHeader, frame []byte) {
		ac.request(h, frame)
		dc.request(h, frame)
		if rc != nil {
			rc.request(h, frame)
		}
		tc.request(h, frame)
		cc.request(h, frame)
	}
	return ac
}

type hostAddr string

func (h hostAddr) Network() string { return "tcp" }
func (h hostAddr) String() string  { return string(h) }

// trackedListener hands kfake the client connections of one node, and
// the broker's own internal ones (see dial), which no stop refuses.
type trackedListener struct {
	net.Listener
	sock *pausable // the Listener, not listening while the node is stopped
	port int
	t    *connTracker
	addr net.Addr
	wrap func(net.Conn) net.Conn

	once     sync.Once
	accepted chan accepted
	internal chan net.Conn
	closed   chan struct{}
	closing  sync.Once
}

type accepted struct {
	c   net.Conn
	err error
}

func newTrackedListener(sock *pausable, port int, t *connTracker, addr net.Addr, wrap func(net.Conn) net.Conn) *trackedListener {
	return &trackedListener{Listener: sock, sock: sock, port: port, t: t, addr: addr, wrap: wrap,
		accepted: make(chan accepted), internal: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *trackedListener) Accept() (net.Conn, error) {
	l.once.Do(func() { go l.pump() })
	for {
		select {
		case c := <-l.internal:
			return c, nil
		case a := <-l.accepted:
			if a.err != nil {
				return nil, a.err
			}
			if tc, ok := l.t.add(l.port, a.c); ok {
				return l.wrap(tc), nil
			}
			a.c.Close() // accepted as the node stopped: cut at once
		}
	}
}

// pump accepts network connections for Accept until the listener fails.
func (l *trackedListener) pump() {
	for {
		c, err := l.Listener.Accept()
		select {
		case l.accepted <- accepted{c, err}:
		case <-l.closed:
			if c != nil {
				c.Close()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

// dial returns an internal connection to the node, served by kfake like
// a client's but never refused or cut by a stop (see forward.go).
func (l *trackedListener) dial() (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.internal <- server:
		return client, nil
	case <-l.closed:
		client.Close()
		server.Close()
		return nil, net.ErrClosed
	}
}

func (l *trackedListener) Close() error {
	l.closing.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func (l *trackedListener) Addr() net.Addr { return l.addr }

// connTracker knows the live connections of every port and which ports are
// down.
type connTracker struct {
	mu    sync.Mutex
	conns map[int]map[*trackedConn]struct{}
	down  map[int]bool
	lns   map[int]*trackedListener
}

func newConnTracker() *connTracker {
	return &connTracker{conns: map[int]map[*trackedConn]struct{}{}, down: map[int]bool{}, lns: map[int]*trackedListener{}}
}

// listening records the listener of port (the latest one after a restart).
func (t *connTracker) listening(port int, l *trackedListener) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lns[port] = l
}

// dial opens an internal connection to the node listening on port.
func (t *connTracker) dial(port int) (net.Conn, error) {
	t.mu.Lock()
	l := t.lns[port]
	t.mu.Unlock()
	if l == nil {
		return nil, net.ErrClosed
	}
	return l.dial()
}

func (t *connTracker) add(port int, c net.Conn) (net.Conn, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.down[port] {
		return nil, false
	}
	tc := &trackedConn{Conn: c, port: port, t: t}
	if t.conns[port] == nil {
		t.conns[port] = map[*trackedConn]struct{}{}
	}
	t.conns[port][tc] = struct{}{}
	return tc, true
}

func (t *connTracker) remove(tc *trackedConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns[tc.port], tc)
}

// setDown marks port down: its socket stops listening (dials are
// refused, where pausable can) and its live connections are cut.
func (t *connTracker) setDown(port int) {
	t.mu.Lock()
	t.down[port] = true
	if l := t.lns[port]; l != nil {
		l.sock.pause()
	}
	var cut []*trackedConn
	for c := range t.conns[port] {
		cut = append(cut, c)
	}
	t.mu.Unlock()
	for _, c := range cut {
		c.Close()
	}
}

// setUp marks port up again: its socket listens again, or the port stays
// down when that fails (the port was lost).
func (t *connTracker) setUp(port int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := t.lns[port]; l != nil {
		if err := l.sock.resume(); err != nil {
			return err
		}
	}
	t.down[port] = false
	return nil
}

// cutAll closes every tracked connection.
func (t *connTracker) cutAll() {
	t.mu.Lock()
	var cut []*trackedConn
	for _, m := range t.conns {
		for c := range m {
			cut = append(cut, c)
		}
	}
	t.mu.Unlock()
	for _, c := range cut {
		c.Close()
	}
}

// count returns the number of live connections on port.
func (t *connTracker) count(port int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns[port])
}

type trackedConn struct {
	net.Conn
	port int
	t    *connTracker
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.t.remove(c) })
	return c.Conn.Close()
}
