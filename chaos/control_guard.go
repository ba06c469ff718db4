package chaos

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
)

// The control endpoint has no authentication: it trusts whoever can reach
// a loopback port. A web page in the user's browser can reach one too,
// with a cross-site request (CSRF) or after pointing its own host name at
// 127.0.0.1 (DNS rebinding). guardControl refuses what only a browser
// sends: a Host that is not a loopback address, any Origin header (kq's
// own client sends none), and a request with a body that is not JSON,
// which a page could send without a CORS preflight.

// guardControl wraps the control API with those checks.
func guardControl(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, err := checkControlRequest(r); err != nil {
			writeError(w, status, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkControlRequest returns the status and reason to refuse r with, or
// a nil error.
func checkControlRequest(r *http.Request) (int, error) {
	if !loopbackHost(r.Host) {
		return http.StatusForbidden, fmt.Errorf("chaos control: host %q is not a loopback address", r.Host)
	}
	if o := r.Header.Get("Origin"); o != "" {
		return http.StatusForbidden, fmt.Errorf("chaos control: cross-origin request from %q refused", o)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return 0, nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, errors.New("chaos control: want Content-Type: application/json")
	}
	return 0, nil
}

// loopbackHost reports whether a Host header names localhost or a
// loopback IP, with or without a port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
