package fetch

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"golang.org/x/net/proxy"

	"github.com/kq-dev/kq/internal/wire"
)

// maxResponse bounds the size of a response a connection accepts.
const maxResponse = 4*maxBytesCap + 1<<20

// brokerConn is one connection to one broker for Fetch requests. Requests
// are encoded and responses decoded with franz-go's kmsg, the record bytes
// are left undecoded (sarama decodes every record into a struct of its
// own), and the response buffer can be reused from fetch to fetch. It is
// set up from the sarama client's configuration: the same dialer (the
// chaos proxy's included), TLS, SASL, client id and timeouts. It is used
// from one goroutine.
type brokerConn struct {
	addr    string
	cfg     *sarama.Config
	c       net.Conn
	version int16 // of Fetch requests
	corr    int32
	wbuf    []byte
	rbuf    []byte
}

// dialBroker connects to addr, asks its API versions and authenticates.
func dialBroker(cfg *sarama.Config, addr string) (*brokerConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Net.DialTimeout)
	defer cancel()
	c, err := dialFunc(cfg)(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	bc := &brokerConn{addr: addr, cfg: cfg, c: c}
	if err := bc.handshake(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return bc, nil
}

// handshake picks the Fetch version both sides speak and authenticates.
func (bc *brokerConn) handshake(ctx context.Context) error {
	av := kmsg.NewPtrApiVersionsRequest() // version 0: every broker answers it
	resp := kmsg.NewPtrApiVersionsResponse()
	if err := bc.roundTrip(av, resp, 0); err != nil {
		return fmt.Errorf("api versions: %w", err)
	}
	if resp.ErrorCode != 0 {
		return fmt.Errorf("api versions: %w", sarama.KError(resp.ErrorCode))
	}
	bc.version = -1
	for _, k := range resp.ApiKeys {
		if k.ApiKey == kmsg.Fetch.Int16() {
			bc.version = min(k.MaxVersion, Version(bc.cfg.Version))
		}
	}
	if bc.version < 4 {
		return fmt.Errorf("broker %s does not speak Fetch v4 (Kafka 0.11)", bc.addr)
	}
	if !bc.cfg.Net.SASL.Enable {
		return nil
	}
	return bc.authenticate(ctx)
}

// authenticate runs a SASL exchange (KIP-152: SaslHandshake, then
// SaslAuthenticate until the mechanism is done).
func (bc *brokerConn) authenticate(ctx context.Context) error {
	m, err := saslMechanism(bc.cfg)
	if err != nil {
		return err
	}
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.Version, hs.Mechanism = 1, m.Name()
	hsResp := kmsg.NewPtrSASLHandshakeResponse()
	if err := bc.roundTrip(hs, hsResp, 0); err != nil {
		return fmt.Errorf("sasl handshake: %w", err)
	}
	if hsResp.ErrorCode != 0 {
		return fmt.Errorf("sasl handshake %s: %w", m.Name(), sarama.KError(hsResp.ErrorCode))
	}
	host, _, _ := net.SplitHostPort(bc.addr)
	session, msg, err := m.Authenticate(ctx, host)
	if err != nil {
		return fmt.Errorf("sasl %s: %w", m.Name(), err)
	}
	for {
		req := kmsg.NewPtrSASLAuthenticateRequest()
		req.Version, req.SASLAuthBytes = 1, msg
		resp := kmsg.NewPtrSASLAuthenticateResponse()
		if err := bc.roundTrip(req, resp, 0); err != nil {
			return fmt.Errorf("sasl authenticate: %w", err)
		}
		if resp.ErrorCode != 0 {
			return fmt.Errorf("sasl %s: %w: %s", m.Name(), sarama.KError(resp.ErrorCode), deref(resp.ErrorMessage))
		}
		var done bool
		if done, msg, err = session.Challenge(resp.SASLAuthBytes); err != nil {
			return fmt.Errorf("sasl %s: %w", m.Name(), err)
		}
		if done {
			return nil
		}
	}
}

// fetch sends one Fetch request and decodes its response; with reuse the
// response (whose record bytes the caller walks) lives in a buffer the
// next fetch overwrites.
func (bc *brokerConn) fetch(req *kmsg.FetchRequest, reuse bool) (*kmsg.FetchResponse, error) {
	req.Version = bc.version
	if !reuse {
		bc.rbuf = nil
	}
	resp := kmsg.NewPtrFetchResponse()
	wait := time.Duration(req.MaxWaitMillis) * time.Millisecond
	if err := bc.roundTrip(req, resp, wait); err != nil {
		return nil, err
	}
	return resp, nil
}

// roundTrip writes req (a non-flexible version) and reads its response
// into resp, allowing the broker wait on top of the read timeout.
func (bc *brokerConn) roundTrip(req kmsg.Request, resp kmsg.Response, wait time.Duration) error {
	if req.IsFlexible() {
		return fmt.Errorf("%s v%d: flexible requests are not supported", kmsg.NameForKey(req.Key()), req.GetVersion())
	}
	bc.corr++
	w := append(bc.wbuf[:0], 0, 0, 0, 0)
	w = binary.BigEndian.AppendUint16(w, uint16(req.Key()))
	w = binary.BigEndian.AppendUint16(w, uint16(req.GetVersion()))
	w = binary.BigEndian.AppendUint32(w, uint32(bc.corr))
	w = binary.BigEndian.AppendUint16(w, uint16(len(bc.cfg.ClientID)))
	w = append(w, bc.cfg.ClientID...)
	w = req.AppendTo(w)
	binary.BigEndian.PutUint32(w, uint32(len(w)-4))
	bc.wbuf = w
	_ = bc.c.SetWriteDeadline(time.Now().Add(bc.cfg.Net.WriteTimeout))
	if _, err := bc.c.Write(w); err != nil {
		return err
	}
	_ = bc.c.SetReadDeadline(time.Now().Add(bc.cfg.Net.ReadTimeout + wait))
	var size [4]byte
	if _, err := io.ReadFull(bc.c, size[:]); err != nil {
		return err
	}
	n, err := wire.FrameLen(size[:], maxResponse)
	if err != nil || n < 4 {
		return decodeErr("response of %d bytes: %v", n, err)
	}
	if cap(bc.rbuf) < n {
		bc.rbuf = make([]byte, n)
	}
	body := bc.rbuf[:n]
	if _, err := io.ReadFull(bc.c, body); err != nil {
		return err
	}
	if corr := int32(binary.BigEndian.Uint32(body)); corr != bc.corr {
		return decodeErr("correlation ID %d, want %d", corr, bc.corr)
	}
	resp.SetVersion(req.GetVersion())
	if err := resp.ReadFrom(body[4:]); err != nil {
		return decodeErr("%s response: %v", kmsg.NameForKey(req.Key()), err)
	}
	return nil
}

func (bc *brokerConn) close() { _ = bc.c.Close() }

// dialFunc dials as sarama would with cfg: through its proxy dialer when
// one is set (the chaos engine's), with its timeouts, then TLS.
func dialFunc(cfg *sarama.Config) func(ctx context.Context, network, host string) (net.Conn, error) {
	var d proxy.Dialer = &net.Dialer{Timeout: cfg.Net.DialTimeout, KeepAlive: cfg.Net.KeepAlive, LocalAddr: cfg.Net.LocalAddr}
	if cfg.Net.Proxy.Enable && cfg.Net.Proxy.Dialer != nil {
		d = cfg.Net.Proxy.Dialer
	}
	var tc *tls.Config
	if cfg.Net.TLS.Enable {
		tc = cfg.Net.TLS.Config
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	return func(ctx context.Context, network, host string) (net.Conn, error) {
		var c net.Conn
		var err error
		if cd, ok := d.(proxy.ContextDialer); ok {
			c, err = cd.DialContext(ctx, network, host)
		} else {
			c, err = d.Dial(network, host)
		}
		if err != nil || tc == nil {
			return c, err
		}
		t := tc.Clone()
		if t.ServerName == "" && !t.InsecureSkipVerify {
			if h, _, splitErr := net.SplitHostPort(host); splitErr == nil {
				t.ServerName = h
			}
		}
		tlsConn := tls.Client(c, t)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			_ = c.Close()
			return nil, err
		}
		return tlsConn, nil
	}
}

// errNoSASLMechanism is returned for a SASL mechanism the fetch
// connection does not speak.
var errNoSASLMechanism = errors.New("sasl mechanism not supported for fetching")

// saslMechanism is franz-go's form of cfg's SASL settings.
func saslMechanism(cfg *sarama.Config) (sasl.Mechanism, error) {
	s := cfg.Net.SASL
	switch s.Mechanism {
	case sarama.SASLTypePlaintext, "":
		return plain.Auth{User: s.User, Pass: s.Password, Zid: s.AuthIdentity}.AsMechanism(), nil
	case sarama.SASLTypeSCRAMSHA256:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha256Mechanism(), nil
	case sarama.SASLTypeSCRAMSHA512:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha512Mechanism(), nil
	case sarama.SASLTypeOAuth:
		tp := s.TokenProvider
		if tp == nil {
			return nil, fmt.Errorf("sasl %s without a token provider", s.Mechanism)
		}
		return oauth.Oauth(func(context.Context) (oauth.Auth, error) {
			t, err := tp.Token()
			if err != nil {
				return oauth.Auth{}, err
			}
			return oauth.Auth{Token: t.Token, Extensions: t.Extensions}, nil
		}), nil
	}
	return nil, fmt.Errorf("%w: %s", errNoSASLMechanism, s.Mechanism)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
