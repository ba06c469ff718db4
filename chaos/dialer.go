package chaos

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/proxy"
)

// DialerOptions configures a [Dialer].
type DialerOptions struct {
	// Forward dials the real broker connections; nil means a net.Dialer
	// with Timeout and KeepAlive.
	Forward proxy.Dialer
	// Timeout bounds a dial of the default forward dialer (sarama applies
	// neither Net.DialTimeout nor Net.KeepAlive to a proxy dialer); 0
	// means 30s.
	Timeout time.Duration
	// KeepAlive is the TCP keep-alive period of the default forward
	// dialer; 0 means Go's default.
	KeepAlive time.Duration
}

// Dialer dials broker connections through an [Engine]'s faults. It
// implements golang.org/x/net/proxy.Dialer and proxy.ContextDialer, so it
// can serve as sarama's Net.Proxy.Dialer (with Net.Proxy.Enable set).
// Non-TCP dials (sarama's DNS lookups) pass through untouched. It learns
// broker node ids from the Metadata, FindCoordinator and DescribeCluster
// responses it carries, so faults can target a node id.
type Dialer struct {
	e   *Engine
	fwd proxy.Dialer
}

// NewDialer returns a dialer applying e's faults.
func NewDialer(e *Engine, opts DialerOptions) *Dialer {
	fwd := opts.Forward
	if fwd == nil {
		timeout := opts.Timeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		fwd = &net.Dialer{Timeout: timeout, KeepAlive: opts.KeepAlive}
	}
	return &Dialer{e: e, fwd: fwd}
}

// Dial connects to addr; see [Dialer.DialContext].
func (d *Dialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

// DialContext connects to addr unless a partition refuses it, and returns
// the client end of a link that carries the connection through the
// engine's faults.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if !strings.HasPrefix(network, "tcp") {
		return d.forward(ctx, network, addr)
	}
	if d.e.Refuses(addr) {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: hostAddr(addr),
			Err: fmt.Errorf("chaos partition: %w", syscall.ECONNREFUSED)}
	}
	up, err := d.forward(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	client, down := net.Pipe()
	d.e.startLink(context.Background(), down, up, addr, learner{d.e})
	return &pipeConn{Conn: client, local: up.LocalAddr(), remote: up.RemoteAddr()}, nil
}

func (d *Dialer) forward(ctx context.Context, network, addr string) (net.Conn, error) {
	if cd, ok := d.fwd.(proxy.ContextDialer); ok {
		return cd.DialContext(ctx, network, addr)
	}
	return d.fwd.Dial(network, addr)
}

// learner is a link hook that records the node ids of the brokers that
// Metadata, FindCoordinator and DescribeCluster responses name.
type learner struct{ e *Engine }

func (learner) wants(key, _ int16) bool { return key == 3 || key == 10 || key == 60 }

func (h learner) rewrite(key, version int16, body []byte) ([]byte, error) {
	_, refs, err := decodeAddrs(key, version, body)
	if err != nil {
		return body, nil // learning is best effort: forward it as it is
	}
	for _, r := range refs {
		h.e.learn(net.JoinHostPort(*r.host, strconv.Itoa(int(*r.port))), *r.node)
	}
	return body, nil
}

// pipeConn is the client end of a link's pipe, reporting the broker
// connection's addresses.
type pipeConn struct {
	net.Conn
	local, remote net.Addr
}

// LocalAddr returns the local address of the broker connection.
func (c *pipeConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the broker's address.
func (c *pipeConn) RemoteAddr() net.Addr { return c.remote }

// hostAddr is a net.Addr for an address string.
type hostAddr string

// Network returns "tcp".
func (hostAddr) Network() string { return "tcp" }

// String returns the address.
func (a hostAddr) String() string { return string(a) }
