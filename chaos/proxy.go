package chaos

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// ProxyOptions configures a [Proxy].
type ProxyOptions struct {
	// Upstreams are the cluster's bootstrap brokers, host:port.
	Upstreams []string
	// ListenHost is the address the proxy listens on; "" means 127.0.0.1.
	ListenHost string
	// AdvertiseHost is the host written into rewritten responses; ""
	// means ListenHost, or 127.0.0.1 when ListenHost is a wildcard.
	AdvertiseHost string
	// FirstPort is the bootstrap port; the brokers get the ports after
	// it, in the order the proxy discovers them (ascending node id within
	// one response). 0 picks free random ports.
	FirstPort int
	// Engine applies faults; nil means a fault-free engine.
	Engine *Engine
	// DialTimeout bounds each upstream dial; 0 means 10s.
	DialTimeout time.Duration
	// Log receives a line per broker port opened and per failed upstream
	// dial; nil discards them.
	Log io.Writer
}

// Proxy is a standalone Kafka proxy: a bootstrap port that reaches the
// upstream bootstrap brokers, and one local port per upstream broker,
// opened when a response first names it. Every response naming brokers is
// rewritten to name the proxy's ports instead, so clients follow the
// cluster's topology through the proxy only; ApiVersions answers are
// clamped to the versions kmsg can rewrite. All traffic flows through the
// engine's faults. Its methods are safe for concurrent use.
type Proxy struct {
	opts   ProxyOptions
	e      *Engine
	ctx    context.Context
	cancel context.CancelFunc
	boot   net.Listener
	dialer net.Dialer

	mu       sync.Mutex
	nodes    map[int32]*nodePort
	nextPort int
	wg       sync.WaitGroup
}

// nodePort is the local port of one upstream broker.
type nodePort struct {
	ln       net.Listener
	upstream string // the broker's latest advertised host:port
}

// ProxiedBroker is an upstream broker and the proxy port standing for it.
type ProxiedBroker struct {
	// Node is the broker's node id.
	Node int32 `json:"node"`
	// Upstream is the broker's advertised address.
	Upstream string `json:"upstream"`
	// Local is the proxy's address for it.
	Local string `json:"local"`
}

// StartProxy opens the bootstrap port and starts serving. A missing
// upstream is a usage error.
func StartProxy(opts ProxyOptions) (*Proxy, error) {
	if len(opts.Upstreams) == 0 {
		return nil, kqerr.Usagef("chaos proxy needs at least one upstream broker")
	}
	opts = proxyDefaults(opts)
	p := &Proxy{opts: opts, e: opts.Engine, nodes: map[int32]*nodePort{}, dialer: net.Dialer{Timeout: opts.DialTimeout}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	ln, err := p.listen()
	if err != nil {
		return nil, err
	}
	p.boot = ln
	p.serve(ln, p.bootstrapUpstream)
	return p, nil
}

func proxyDefaults(o ProxyOptions) ProxyOptions {
	if o.ListenHost == "" {
		o.ListenHost = "127.0.0.1"
	}
	if o.AdvertiseHost == "" {
		o.AdvertiseHost = o.ListenHost
		if ip := net.ParseIP(o.ListenHost); ip != nil && ip.IsUnspecified() {
			o.AdvertiseHost = "127.0.0.1"
		}
	}
	if o.Engine == nil {
		o.Engine = NewEngine(EngineOptions{})
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// listen opens the next port: FirstPort, then the ports after it, or a
// random one when FirstPort is 0 or the next port is taken.
func (p *Proxy) listen() (net.Listener, error) {
	port := 0
	if p.opts.FirstPort != 0 {
		port = p.opts.FirstPort + p.nextPort
		p.nextPort++
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(p.opts.ListenHost, strconv.Itoa(port)))
	if err != nil && port != 0 && p.nextPort > 1 {
		fmt.Fprintf(p.opts.Log, "chaos proxy: port %d: %v; using a random port\n", port, err)
		ln, err = net.Listen("tcp", net.JoinHostPort(p.opts.ListenHost, "0"))
	}
	if err != nil {
		return nil, fmt.Errorf("chaos proxy: listen: %w", err)
	}
	return ln, nil
}

// Bootstrap returns the address clients should bootstrap from.
func (p *Proxy) Bootstrap() string { return p.advertised(p.boot) }

func (p *Proxy) advertised(ln net.Listener) string {
	port := ln.Addr().(*net.TCPAddr).Port
	return net.JoinHostPort(p.opts.AdvertiseHost, strconv.Itoa(port))
}

// Engine returns the engine applying the proxy's faults.
func (p *Proxy) Engine() *Engine { return p.e }

// Brokers returns the upstream brokers discovered so far with their proxy
// addresses, by node id.
func (p *Proxy) Brokers() []ProxiedBroker {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]ProxiedBroker, 0, len(p.nodes))
	for id, n := range p.nodes {
		out = append(out, ProxiedBroker{Node: id, Upstream: n.upstream, Local: p.advertised(n.ln)})
	}
	slices.SortFunc(out, func(a, b ProxiedBroker) int { return cmp.Compare(a.Node, b.Node) })
	return out
}

// Close stops listening and cuts every connection through the proxy.
func (p *Proxy) Close() error {
	p.cancel()
	err := p.boot.Close()
	p.mu.Lock()
	for _, n := range p.nodes {
		err = errors.Join(err, n.ln.Close())
	}
	p.mu.Unlock()
	p.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
