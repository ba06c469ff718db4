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
// ever established, to tell "nothing listens" from "connected, but no
// answer".
type dialTracker struct {
	next      proxy.Dialer
	connected atomic.Bool
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
	if err == nil {
		t.connected.Store(true)
	}
	return c, err
}

// closer is what the sarama constructors return.
type closer interface{ Close() error }

// openWithin runs open (a sarama constructor, which connects and loads
// metadata) and gives up after the profile's timeout. sarama alone would
// try every bootstrap address with a read timeout each and retry the
// metadata, several timeouts in all, against a broker that accepts
// connections and never answers. A client open returns after the wait is
// closed.
func openWithin[T closer](f Factory, cfg *sarama.Config, open func(*sarama.Config) (T, error)) (T, error) {
	tr := track(cfg)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := open(cfg)
		done <- result{v, err}
	}()
	wait := f.Profile.WithDefaults().Timeout
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return r.v, f.Classify(r.err)
		}
		return r.v, nil
	case <-timer.C:
		go func() {
			if r := <-done; r.err == nil {
				r.v.Close()
			}
		}()
		var zero T
		return zero, f.noAnswer(wait, tr.connected.Load())
	}
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
	msg := fmt.Sprintf("cannot reach the cluster at %s within %v (waited for a connection)", addrs, wait)
	if p.IsDefaultBroker() {
		msg += " (start a local cluster with `kq broker`, or set --brokers)"
	}
	return fmt.Errorf("%w: %s", kqerr.ErrUnreachable, msg)
}
