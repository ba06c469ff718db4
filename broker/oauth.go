package broker

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake knows SASL PLAIN and SCRAM but not OAUTHBEARER. With
// Options.TokenValidator set, the broker accepts OAUTHBEARER in its
// connection layer: a handshake for OAUTHBEARER reaches kfake as one for
// PLAIN, and the client's bearer token is checked by the validator; a
// valid token is replaced by the PLAIN credentials of a shadow superuser
// (a random password made at start, known only to this process), an
// invalid one by a wrong password, so kfake completes or fails the
// authentication itself and answers the client as Kafka would.

// TokenValidator checks an OAUTHBEARER token and returns the principal
// it stands for.
type TokenValidator func(token string) (principal string, err error)

// oauthShadowUser is the PLAIN user valid tokens authenticate as.
const oauthShadowUser = "kq-oauthbearer"

// oauth holds the shadow credentials and the validator.
type oauth struct {
	validate TokenValidator
	password string
}

func newOAuth(v TokenValidator) (*oauth, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &oauth{validate: v, password: hex.EncodeToString(b)}, nil
}

// rewriter returns one connection's request rewriter (it keeps whether
// the connection's handshake asked for OAUTHBEARER).
func (o *oauth) rewriter(g *guard) func(frame []byte, h wire.RequestHeader) []byte {
	pending := false
	return func(frame []byte, h wire.RequestHeader) []byte {
		switch {
		case h.Key == int16(kmsg.SASLHandshake):
			req := kmsg.NewPtrSASLHandshakeRequest()
			req.SetVersion(h.Version)
			if req.ReadFrom(frame[h.BodyOffset:]) != nil {
				return frame
			}
			pending = strings.EqualFold(req.Mechanism, "OAUTHBEARER")
			if !pending {
				return frame
			}
			req.Mechanism = "PLAIN"
			return reencode(frame, h, req)
		case h.Key == int16(kmsg.SASLAuthenticate) && pending:
			pending = false
			req := kmsg.NewPtrSASLAuthenticateRequest()
			req.SetVersion(h.Version)
			if req.ReadFrom(frame[h.BodyOffset:]) != nil {
				return frame
			}
			pass := ""
			principal, err := o.check(req.SASLAuthBytes)
			if err != nil {
				g.logf("OAUTHBEARER authentication failed: %v", err)
			} else {
				pass = o.password
				g.logf("OAUTHBEARER authenticated %s", principal)
			}
			req.SASLAuthBytes = []byte("\x00" + oauthShadowUser + "\x00" + pass)
			return reencode(frame, h, req)
		}
		return frame
	}
}

// check parses an OAUTHBEARER client message (RFC 7628: a GS2 header,
// then \x01-separated key=value pairs, one of them auth=Bearer TOKEN) and
// validates its token.
func (o *oauth) check(msg []byte) (string, error) {
	for _, kv := range strings.Split(string(msg), "\x01") {
		if tok, ok := strings.CutPrefix(kv, "auth=Bearer "); ok && tok != "" {
			return o.validate(tok)
		}
	}
	return "", errors.New("no bearer token in the client message")
}

// reencode replaces a request frame's body.
func reencode(frame []byte, h wire.RequestHeader, req kmsg.Request) []byte {
	out := append([]byte{}, frame[:h.BodyOffset]...)
	return req.AppendTo(out)
}

// StaticTokens is a [TokenValidator] that accepts exactly the given
// tokens; the principal is "token-N", N the token's 1-based position.
func StaticTokens(tokens ...string) TokenValidator {
	return func(token string) (string, error) {
		for i, t := range tokens {
			if subtleEqual(t, token) {
				return "token-" + strconv.Itoa(i+1), nil
			}
		}
		return "", errors.New("unknown token")
	}
}

func subtleEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
