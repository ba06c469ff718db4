package schemas_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker/schemareg"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/schemas"
)

// An https registry with basic auth: the client trusts the CA file and
// sends the credentials; without them it is refused.
func TestRegistryOverTLSWithBasicAuth(t *testing.T) {
	reg, err := schemareg.New("")
	if err != nil {
		t.Fatal(err)
	}
	h := reg.Handler()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "sr-user" || p != "sr-pass" {
			http.Error(w, `{"error_code":40101,"message":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good := schemas.RegistryOptions{URL: srv.URL, User: "sr-user", Password: "sr-pass", TLS: conn.TLS{CAFile: ca}}
	cl, err := schemas.NewClient(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Subjects(ctx); err != nil {
		t.Fatalf("https with the CA and credentials: %v", err)
	}
	for name, o := range map[string]schemas.RegistryOptions{
		"no CA":       {URL: srv.URL, User: "sr-user", Password: "sr-pass"},
		"no password": {URL: srv.URL, User: "sr-user", TLS: conn.TLS{CAFile: ca}},
	} {
		cl, err := schemas.NewClient(o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Subjects(ctx)
		if err == nil {
			t.Errorf("%s: the registry answered", name)
		}
		// A certificate nobody vouches for is a failed TLS handshake
		// (exit 4); a refused password is the registry's answer (exit 1).
		if got, want := errors.Is(err, kqerr.ErrUnreachable), name == "no CA"; got != want {
			t.Errorf("%s: %v: unreachable %v, want %v", name, err, got, want)
		}
		if name == "no CA" && !strings.Contains(err.Error(), "unreachable: TLS: certificate signed by unknown authority") {
			t.Errorf("no CA: %v", err)
		}
	}
	if _, err := schemas.NewClient(schemas.RegistryOptions{URL: "localhost:8081"}); err == nil {
		t.Error("a URL without a scheme was accepted")
	}
}

// A registry that never answers: each request gives up after the timeout
// as unreachable, but one the caller cancelled first is the caller's.
func TestRegistrySilentTimesOutUnlessCancelled(t *testing.T) {
	addr, stop, err := testutil.ListenSilent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	cl, err := schemas.NewClient(schemas.RegistryOptions{URL: "http://" + addr, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.Subjects(context.Background())
	var ue *schemas.UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(ue.Why.String(), "no answer within 200ms") {
		t.Fatalf("silent registry: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = cl.Subjects(ctx)
	if err == nil || errors.Is(err, kqerr.ErrUnreachable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
}
