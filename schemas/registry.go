package schemas

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// RegistryOptions say how to reach a Schema Registry.
type RegistryOptions struct {
	// URL is the registry's base URL (http:// or https://).
	URL string `json:"url"`
	// User and Password are HTTP basic-auth credentials (optional).
	User string `json:"user,omitempty"`
	// Password is the basic-auth secret; it is never printed.
	Password string `json:"password,omitempty"`
	// TLS configures https URLs: CA bundle, client certificate, insecure.
	TLS conn.TLS `json:"tls"`
	// Timeout bounds each request (0: 10s).
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Validate checks the options for settings that can never work.
func (o RegistryOptions) Validate() error {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return kqerr.Usagef("schema registry %q: want an http:// or https:// URL", o.URL)
	}
	if (o.TLS.CertFile == "") != (o.TLS.KeyFile == "") {
		return kqerr.Settingf("{schema registry cert} and {schema registry key} go together")
	}
	return nil
}

// NewClient returns a registry client for o. Each request, its answer
// included, is bounded by o.Timeout; a registry that cannot be reached
// (refused, unresolved, silent, a failed TLS handshake) gives an
// [UnreachableError].
func NewClient(o RegistryOptions) (*sr.Client, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the registry is reached directly, as the brokers are
	tc, err := o.TLS.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	tr.TLSClientConfig = tc
	opts := []sr.ClientOpt{
		sr.URLs(o.URL),
		sr.HTTPClient(&http.Client{Transport: &boundedTransport{base: o.URL, inner: tr, timeout: timeout}}),
		sr.UserAgent("kq"),
	}
	if o.User != "" || o.Password != "" {
		opts = append(opts, sr.BasicAuth(o.User, o.Password))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	return cl, nil
}
