package verify

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/proxy"

	"github.com/kq-dev/kq/internal/conn"
)

// errCrashed is the dial error of a crashed client.
var errCrashed = errors.New("client crashed")

// killSwitch is the dialer of one client incarnation. It tracks the
// connections it made; cut closes them all at once and refuses every dial
// after, which is how a client crashes hard: requests in flight are lost
// mid-way, nothing more reaches the cluster (no flush, no commit, no leave
// or end-transaction request), and sarama's own shutdown meets refused
// dials.
type killSwitch struct {
	fwd proxy.Dialer

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	cut   bool
}

// newKillSwitch returns a kill switch dialing through fwd, or through a
// plain dialer with the given timeout when fwd is nil.
func newKillSwitch(fwd proxy.Dialer, timeout time.Duration) *killSwitch {
	if fwd == nil {
		fwd = &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	}
	return &killSwitch{fwd: fwd, conns: map[net.Conn]struct{}{}}
}

// Dial connects to addr unless the switch was cut.
func (k *killSwitch) Dial(network, addr string) (net.Conn, error) {
	return k.DialContext(context.Background(), network, addr)
}

// DialContext connects to addr unless the switch was cut.
func (k *killSwitch) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if k.isCut() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.Join(errCrashed, syscall.ECONNREFUSED)}
	}
	var c net.Conn
	var err error
	if cd, ok := k.fwd.(proxy.ContextDialer); ok {
		c, err = cd.DialContext(ctx, network, addr)
	} else {
		c, err = k.fwd.Dial(network, addr)
	}
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cut {
		c.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Err: errCrashed}
	}
	tc := &trackedConn{Conn: c, k: k}
	k.conns[tc] = struct{}{}
	return tc, nil
}

// Cut closes every connection and refuses new ones. Cutting twice is
// harmless.
func (k *killSwitch) Cut() {
	k.mu.Lock()
	k.cut = true
	conns := k.conns
	k.conns = map[net.Conn]struct{}{}
	k.mu.Unlock()
	for c := range conns {
		if tc, ok := c.(*trackedConn); ok {
			tc.Conn.Close()
		}
	}
}

func (k *killSwitch) isCut() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cut
}

func (k *killSwitch) forget(c net.Conn) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.conns, c)
}

// factory returns f with every connection dialed through the switch.
func (k *killSwitch) factory(f conn.Factory) conn.Factory {
	f.Dialer = k
	return f
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	k *killSwitch
}

// Close closes the connection and stops tracking it.
func (c *trackedConn) Close() error {
	c.k.forget(c)
	return c.Conn.Close()
}

// life is the crash state of one client incarnation: a kill switch and a
// channel closed when it is killed.
type life struct {
	ks   *killSwitch
	once sync.Once
	dead chan struct{}
}

func newLife(fwd proxy.Dialer, timeout time.Duration) *life {
	return &life{ks: newKillSwitch(fwd, timeout), dead: make(chan struct{})}
}

// kill cuts the incarnation's connections and marks it dead; it reports
// whether this call did it.
func (l *life) kill() bool {
	killed := false
	l.once.Do(func() {
		l.ks.Cut()
		close(l.dead)
		killed = true
	})
	return killed
}

// isDead reports whether the incarnation was killed.
func (l *life) isDead() bool {
	select {
	case <-l.dead:
		return true
	default:
		return false
	}
}
