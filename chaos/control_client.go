package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/kq-dev/kq/internal/kqerr"
)

// ControlClient talks to a [ControlServer], usually a running
// `kq chaos proxy`. Its errors wrap kqerr.ErrUnreachable when the endpoint
// cannot be reached, and are usage errors when the server refused the
// fault or id.
type ControlClient struct {
	// Addr is the control endpoint's host:port.
	Addr string
	// HTTP is the client to use; nil means http.DefaultClient.
	HTTP *http.Client
}

// List returns the active faults.
func (c ControlClient) List(ctx context.Context) ([]Active, error) {
	var out []Active
	return out, c.do(ctx, http.MethodGet, pathFaults, nil, &out)
}

// Set activates a fault and returns it as the server applies it.
func (c ControlClient) Set(ctx context.Context, f Fault) (Active, error) {
	var out Active
	return out, c.do(ctx, http.MethodPost, pathFaults, f, &out)
}

// Clear removes the fault with the given id.
func (c ControlClient) Clear(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, pathFaults+"/"+url.PathEscape(id), nil, nil)
}

// ClearAll removes every fault.
func (c ControlClient) ClearAll(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, pathFaults, nil, nil)
}

// Proxy describes the proxy behind the endpoint.
func (c ControlClient) Proxy(ctx context.Context) (ProxyInfo, error) {
	var out ProxyInfo
	return out, c.do(ctx, http.MethodGet, pathProxy, nil, &out)
}

// do sends one request with an optional JSON body and decodes the JSON
// answer into out (when not nil).
func (c ControlClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("chaos control: encode: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+path, body)
	if err != nil {
		return kqerr.Usagef("chaos control address %q: %v", c.Addr, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client().Do(req)
	if err != nil {
		return fmt.Errorf("%w: chaos control endpoint %s: %w", kqerr.ErrUnreachable, c.Addr, err)
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, out)
}

func (c ControlClient) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// decodeAnswer turns an answer into out or an error.
func decodeAnswer(resp *http.Response, out any) error {
	r := io.LimitReader(resp.Body, maxControlBody)
	if resp.StatusCode >= 300 {
		var e controlError
		if json.NewDecoder(r).Decode(&e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		switch {
		case resp.StatusCode == http.StatusNotFound:
			return errors.New(e.Error) // an unknown id: not a usage error
		case resp.StatusCode < 500:
			return kqerr.Usagef("%s", e.Error) // a bad fault: the user's input
		}
		return fmt.Errorf("chaos control: %s", e.Error)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(r).Decode(out); err != nil {
		return fmt.Errorf("chaos control: decode answer: %w", err)
	}
	return nil
}
