package broker

import (
	"bufio"
	"fmt"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// forwardTimeout bounds one forwarded request (its answer included).
const forwardTimeout = 30 * time.Second

// forward sends req to node over an internal connection (one that a
// stopped node still serves: the broker's own, as a Kafka broker forwards
// a request to the active controller) and returns kfake's answer.
func (b *Broker) forward(node int32, req kmsg.Request) (kmsg.Response, error) {
	port, ok := b.nodes().ports[node]
	if !ok {
		return nil, fmt.Errorf("broker: no node %d", node)
	}
	c, err := b.conns.dial(port)
	if err != nil {
		return nil, fmt.Errorf("broker: forward to node %d: %w", node, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(forwardTimeout))
	ic := &internalConn{c: c, r: bufio.NewReader(c), f: kmsg.NewRequestFormatter(kmsg.FormatterClientID("kq-broker"))}
	if user, pass, ok := b.internalUser(); ok {
		if err := ic.authenticate(user, pass); err != nil {
			return nil, fmt.Errorf("broker: forward to node %d: %w", node, err)
		}
	}
	resp, err := ic.do(req)
	if err != nil {
		return nil, fmt.Errorf("broker: forward to node %d: %w", node, err)
	}
	return resp, nil
}

// internalUser returns a superuser for internal connections when kfake
// requires SASL.
func (b *Broker) internalUser() (user, pass string, ok bool) {
	if len(b.opts.Users) > 0 {
		return b.opts.Users[0].Name, b.opts.Users[0].Password, true
	}
	if b.oauth != nil {
		return oauthShadowUser, b.oauth.password, true
	}
	return "", "", false
}

// internalConn is one request-response connection of the broker to
// itself.
type internalConn struct {
	c    net.Conn
	r    *bufio.Reader
	f    *kmsg.RequestFormatter
	corr int32
}

// do writes req and reads its answer.
func (ic *internalConn) do(req kmsg.Request) (kmsg.Response, error) {
	ic.corr++
	if _, err := ic.c.Write(ic.f.AppendRequest(nil, req, ic.corr)); err != nil {
		return nil, err
	}
	frame, err := wire.ReadFrame(ic.r, wire.MaxFrameSize)
	if err != nil {
		return nil, err
	}
	h, err := wire.ParseResponseHeader(frame, req.Key(), req.GetVersion())
	if err != nil {
		return nil, err
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	if err := resp.ReadFrom(frame[h.BodyOffset:]); err != nil {
		return nil, fmt.Errorf("decode %s answer: %w", kmsg.NameForKey(req.Key()), err)
	}
	return resp, nil
}

// authenticate logs in with SASL PLAIN.
func (ic *internalConn) authenticate(user, pass string) error {
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Version, hs.Mechanism = 1, "PLAIN"
	resp, err := ic.do(hs)
	if err != nil {
		return err
	}
	if err := kerr.ErrorForCode(resp.(*kmsg.SASLHandshakeResponse).ErrorCode); err != nil {
		return err
	}
	auth := kmsg.NewPtrSASLAuthenticateRequest()
	auth.Version, auth.SASLAuthBytes = 1, []byte("\x00"+user+"\x00"+pass)
	if resp, err = ic.do(auth); err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.(*kmsg.SASLAuthenticateResponse).ErrorCode)
}
