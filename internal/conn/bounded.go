package conn

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/net/proxy"

	"github.com/kq-dev/kq/internal/kqerr"
)

// dialTracker carries sarama's connections and remembers whether one was
// ever established and whether any broker ever sent a byte, to tell
// "nothing listens" from "connected, but no answer" from "answering, but
// slowly".
type dialTracker struct {
	next      proxy.Dialer
	connected atomic.Bool
	answered  atomic.Bool
}

// track routes cfg's connections through a tracker, keeping the dialer it
// had (the chaos dialer, or sarama's own settings).
func track(cfg *sarama.Config) *dialTracker {
	var next proxy.Dialer = &net.Dialer{Timeout: cfg.Net.DialTimeout, KeepAlive: cfg.Net.KeepAlive, LocalAddr: cfg.Net.LocalAddr}
	if cfg.Net.Proxy.Enable && cfg.Net.Proxy.Dialer != nil {
		next = cfg.Net.Proxy.Dialer
	}
	t := &dialTracker{next: next}
	cfg.Net.Proxy.Enable, cfg.Net.Proxy.Dialer = true, t
	return t
}

// Dial implements proxy.Dialer.
func (t *dialTracker) Dial(network, addr string) (net.Conn, error) {
	c, err := t.next.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	t.connected.Store(true)
	return &trackedConn{Conn: c, t: t}, nil
}

// trackedConn notes the first byte a broker sends.
type trackedConn struct {
	net.Conn
	t *dialTracker
}

// Read implements net.Conn.
func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.t.answered.Load() {
		c.t.answered.Store(true)
	}
	return n, err
}

// closer is what the sarama constructors return.
type closer interface{ Close() error }

// openWithin runs open (a sarama constructor, which connects and loads
// metadata) and gives up after the profile's timeout when no broker has
// sent a single byte by then. sarama alone would try every bootstrap
// address with read timeouts and retry the metadata, several timeouts in
// all, against brokers that accept connections and never answer (a TLS or
// SASL mismatch). When some broker answers, sarama's own timeouts bound
// the wait. With several bootstrap addresses, those that answer are found
// first (see [answering]), so one silent address among good ones does not
// fail the open. A client open returns after giving up is closed.
func openWithin[T closer](f Factory, cfg *sarama.Config, brokers []string, open func([]string, *sarama.Config) (T, error)) (T, error) {
	tr := track(cfg)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	wait := f.Profile.WithDefaults().Timeout
	go func() {
		v, err := open(f.Bootstraps.answering(cfg, brokers, wait), cfg)
		done <- result{v, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, f.Classify(r.err)
	case <-timer.C:
	}
	if tr.answered.Load() {
		// Some broker answers, slowly: sarama's own timeouts (a read
		// timeout, Metadata.Timeout) bound the rest.
		r := <-done
		return r.v, f.Classify(r.err)
	}
	go func() {
		if r := <-done; r.err == nil {
			r.v.Close()
		}
	}()
	var zero T
	return zero, f.noAnswer(wait, tr.connected.Load())
}

// noAnswer is the error of a connection attempt that did not finish in
// time: it says what kq waited for and, when TCP connected, the likely
// cause.
func (f Factory) noAnswer(wait time.Duration, connected bool) error {
	p := f.Profile.WithDefaults()
	addrs := strings.Join(p.Brokers, ",")
	if connected {
		hint := "TLS or SASL mismatch, or not a Kafka port?"
		if p.tlsEnabled() {
			hint = "is the port TLS? a SASL mismatch, or not a Kafka port?"
		}
		return fmt.Errorf("%w: no answer from %s within %v (waited for the cluster's metadata): connected, but no answer: %s",
			kqerr.ErrUnreachable, addrs, wait, hint)
	}
	format := "%w: cannot reach the cluster at %s within %v (waited for a connection)"
	if p.IsDefaultBroker() {
		format += localClusterHint
	}
	return kqerr.SettingErrorf(format, kqerr.ErrUnreachable, addrs, wait)
}
