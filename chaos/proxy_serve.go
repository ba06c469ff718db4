package chaos

import (
	"fmt"
	"net"
	"strconv"
)

// serve accepts connections on ln and links each to the upstream broker
// pick chooses, until the proxy closes.
func (p *Proxy) serve(ln net.Listener, pick func() (net.Conn, string, error)) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.connect(c, pick)
			}()
		}
	}()
}

// connect dials the upstream for an accepted client and links the two;
// when no upstream can be reached the client is cut at once.
func (p *Proxy) connect(client net.Conn, pick func() (net.Conn, string, error)) {
	up, addr, err := pick()
	if err != nil {
		fmt.Fprintf(p.opts.Log, "chaos proxy: %v\n", err)
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		client.Close()
		return
	}
	p.e.startLink(p.ctx, client, up, addr, proxyHook{p})
}

// bootstrapUpstream dials the first upstream bootstrap broker that is
// neither partitioned nor down.
func (p *Proxy) bootstrapUpstream() (net.Conn, string, error) {
	var last error
	for _, addr := range p.opts.Upstreams {
		up, err := p.dialUpstream(addr)
		if err == nil {
			return up, addr, nil
		}
		last = err
	}
	return nil, "", last
}

// nodeUpstream returns the dialer of node id's current address.
func (p *Proxy) nodeUpstream(id int32) func() (net.Conn, string, error) {
	return func() (net.Conn, string, error) {
		p.mu.Lock()
		addr := p.nodes[id].upstream
		p.mu.Unlock()
		up, err := p.dialUpstream(addr)
		return up, addr, err
	}
}

func (p *Proxy) dialUpstream(addr string) (net.Conn, error) {
	if p.e.Refuses(addr) {
		return nil, fmt.Errorf("partition: connection to %s refused", addr)
	}
	up, err := p.dialer.DialContext(p.ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial upstream %s: %w", addr, err)
	}
	return up, nil
}

// mapBroker returns the proxy address standing for an upstream broker,
// opening its port the first time the broker appears.
func (p *Proxy) mapBroker(b BrokerAddr) (string, int32, error) {
	upstream := net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
	p.e.learn(upstream, b.Node)
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.nodes[b.Node]
	if !ok {
		if p.ctx.Err() != nil {
			return "", 0, fmt.Errorf("chaos proxy: closed")
		}
		ln, err := p.listen()
		if err != nil {
			return "", 0, err
		}
		n = &nodePort{ln: ln}
		p.nodes[b.Node] = n
		p.serve(ln, p.nodeUpstream(b.Node))
		fmt.Fprintf(p.opts.Log, "chaos proxy: node %d (%s) at %s\n", b.Node, upstream, p.advertised(ln))
	}
	n.upstream = upstream
	return p.opts.AdvertiseHost, int32(n.ln.Addr().(*net.TCPAddr).Port), nil
}
