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
	tl := &trackedListener{Listener: ln, port: p, t: b.conns, addr: adv, wrap: b.wrapConn}
	if adv.IP == nil {
		// A host name: kfake only needs Addr().String().
		tl.addr = hostAddr(net.JoinHostPort(b.opts.AdvertiseHost, strconv.Itoa(p)))
	}
	return tl, nil
}

// wrapConn layers TLS (when configured), the frame guard, the topic name
// check and the marker repair over an accepted connection. TLS is terminated here rather than by
// kfake so the guard and the repair see plaintext frames.
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
	if b.repl == nil {
		return m
	}
	rc := newReplConn(m, b)
	g.onFrame = rc.request
	return rc
}

type hostAddr string

func (h hostAddr) Network() string { return "tcp" }
func (h hostAddr) String() string  { return string(h) }

type trackedListener struct {
	net.Listener
	port int
	t    *connTracker
	addr net.Addr
	wrap func(net.Conn) net.Conn
}

func (l *trackedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc, ok := l.t.add(l.port, c); ok {
			return l.wrap(tc), nil
		}
		c.Close() // the node is down: refuse by closing at once
	}
}

func (l *trackedListener) Addr() net.Addr { return l.addr }

// connTracker knows the live connections of every port and which ports are
// down.
type connTracker struct {
	mu    sync.Mutex
	conns map[int]map[*trackedConn]struct{}
	down  map[int]bool
}

func newConnTracker() *connTracker {
	return &connTracker{conns: map[int]map[*trackedConn]struct{}{}, down: map[int]bool{}}
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

// setDown marks port down (or up) and, when down, cuts its live
// connections.
func (t *connTracker) setDown(port int, down bool) {
	t.mu.Lock()
	t.down[port] = down
	var cut []*trackedConn
	if down {
		for c := range t.conns[port] {
			cut = append(cut, c)
		}
	}
	t.mu.Unlock()
	for _, c := range cut {
		c.Close()
	}
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
