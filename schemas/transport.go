package schemas

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// UnreachableError says the registry could not be reached: refused, not
// resolved, silent past the timeout, or a TLS handshake that failed. It
// matches [kqerr.ErrUnreachable] (exit code 4), as an unreachable cluster
// does.
type UnreachableError struct {
	// URL is the registry's base URL.
	URL string
	// Why is the cause in a few words, naming settings in braces.
	Why kqerr.SettingText
	// Err is the transport's error.
	Err error
}

func (e *UnreachableError) Error() string { return e.Render(func(s string) string { return s }) }

// Render returns the message with the settings it names spelled by spell.
func (e *UnreachableError) Render(spell func(setting string) string) string {
	return fmt.Sprintf("schema registry %s unreachable: %s", e.URL, e.Why.Render(spell))
}

// Unwrap returns the transport's error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Is matches kqerr.ErrUnreachable.
func (e *UnreachableError) Is(target error) bool { return target == kqerr.ErrUnreachable }

// boundedTransport bounds each request, the answer's body included, by a
// timeout and turns network failures into an [UnreachableError]. The
// timeout lives here, not in http.Client, so that the error keeps its type.
type boundedTransport struct {
	base    string
	inner   http.RoundTripper
	timeout time.Duration
}

func (t *boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if parent.Err() != nil {
			return nil, err // the caller gave up: not the registry's fault
		}
		return nil, &UnreachableError{URL: t.base, Why: t.why(ctx, err), Err: err}
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// why words a transport error.
func (t *boundedTransport) why(ctx context.Context, err error) kqerr.SettingText {
	var (
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		ae  tls.AlertError
		dns *net.DNSError
		oe  *net.OpError
	)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return kqerr.SettingText(fmt.Sprintf("no answer within %s ({timeout})", t.timeout))
	case errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci), errors.As(err, &cve):
		return kqerr.PlainText("TLS: " + lastPart(err))
	case errors.As(err, &rhe):
		return "TLS handshake failed: the server does not speak TLS (try http://)"
	case errors.As(err, &ae):
		return kqerr.PlainText("TLS handshake failed: " + lastPart(err))
	case errors.As(err, &dns):
		return kqerr.PlainText("cannot resolve " + dns.Name)
	case errors.As(err, &oe) && oe.Op == "dial":
		return kqerr.PlainText(lastPart(err))
	}
	return kqerr.PlainText(lastPart(err))
}

// lastPart is the innermost words of err ("connection refused").
func lastPart(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// cancelOnClose ends a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
