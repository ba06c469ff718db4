package broker

import (
	"net"
	"sync"
)

// pausable is a node's listening socket, which a node stop pauses: the
// socket keeps its port but stops listening, so a dial to a stopped node
// is refused (ECONNREFUSED) as a crashed Kafka broker's is, and the
// restart makes it listen again on the same port. Clients tell the two
// apart: franz-go drops the coordinators it cached on a node whose dial
// is refused and looks them up again at once, while a connection that is
// accepted and then cut is retried on the same node for seconds. Pausing
// needs Linux (pause_linux.go); elsewhere a stopped node's connections
// are accepted and cut at once (trackedListener.Accept). Accept waits out
// a pause instead of failing, so kfake's accept loop goes on across a
// stop.
type pausable struct {
	net.Listener

	mu     sync.Mutex
	paused bool
	up     chan struct{} // closed when a pause ends
	closed bool
}

func newPausable(ln net.Listener) *pausable { return &pausable{Listener: ln} }

// Accept returns the next connection; a pause does not end it.
func (p *pausable) Accept() (net.Conn, error) {
	for {
		if !p.waitListening() {
			return nil, net.ErrClosed
		}
		c, err := p.Listener.Accept()
		if err == nil || !p.isPaused() {
			return c, err
		}
	}
}

// waitListening waits while the socket is paused; false once closed.
func (p *pausable) waitListening() bool {
	p.mu.Lock()
	for p.paused && !p.closed {
		up := p.up
		p.mu.Unlock()
		<-up
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	return !p.closed
}

func (p *pausable) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// pause stops listening, keeping the port, where that is possible.
func (p *pausable) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.paused {
		return
	}
	p.paused, p.up = true, make(chan struct{})
	if !stopListening(p.Listener) {
		p.paused = false
		close(p.up)
	}
}

// resume listens again on the same port.
func (p *pausable) resume() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused || p.closed {
		return nil
	}
	if err := startListening(p.Listener); err != nil {
		return err
	}
	p.paused = false
	close(p.up)
	return nil
}

// Close closes the socket for good.
func (p *pausable) Close() error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		if p.paused {
			close(p.up)
		}
	}
	p.mu.Unlock()
	return p.Listener.Close()
}
