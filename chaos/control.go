package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Control API paths, relative to the control endpoint.
const (
	// pathFaults lists (GET), sets (POST), and clears all (DELETE) faults.
	pathFaults = "/v1/faults"
	// pathProxy describes the proxy (GET).
	pathProxy = "/v1/proxy"
)

// maxControlBody bounds a control request body.
const maxControlBody = 1 << 20

// ControlOptions configures a [ControlServer].
type ControlOptions struct {
	// Addr is where to listen: a loopback host:port; "" means
	// 127.0.0.1:0 (a free port). Other hosts are refused: the endpoint
	// has no authentication.
	Addr string
	// Engine is the engine whose faults the endpoint controls.
	Engine *Engine
	// Proxy, when set, is described at GET /v1/proxy.
	Proxy *Proxy
}

// ControlServer serves an engine's faults over HTTP and JSON on a loopback
// address, for [ControlClient] (kq chaos set|clear|list):
//
//	GET    /v1/faults       the active faults: [Active, ...]
//	POST   /v1/faults       set the Fault in the body; answers its Active
//	DELETE /v1/faults       clear every fault
//	DELETE /v1/faults/{id}  clear one fault
//	GET    /v1/proxy        {"bootstrap": ..., "brokers": [ProxiedBroker, ...]}
//
// Errors answer {"error": "..."} with status 400 (bad fault), 404 (unknown
// id) or 500.
type ControlServer struct {
	ln  net.Listener
	srv *http.Server
}

// StartControl listens and serves until Close.
func StartControl(opts ControlOptions) (*ControlServer, error) {
	if opts.Engine == nil {
		return nil, errors.New("chaos control: no engine")
	}
	addr, err := loopbackAddr(opts.Addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("chaos control: listen: %w", err)
	}
	h := controlHandler{e: opts.Engine, p: opts.Proxy}
	s := &ControlServer{ln: ln, srv: &http.Server{Handler: guardControl(h.mux()), ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// loopbackAddr checks addr names a loopback IP; "" means 127.0.0.1:0.
func loopbackAddr(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", kqerr.Usagef("control address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", kqerr.Usagef("control address %q must be on a loopback address such as 127.0.0.1", addr)
	}
	return addr, nil
}

// Addr returns the host:port the endpoint listens on.
func (s *ControlServer) Addr() string { return s.ln.Addr().String() }

// Close stops the endpoint, waiting up to five seconds for requests in
// flight.
func (s *ControlServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// controlHandler serves the control API.
type controlHandler struct {
	e *Engine
	p *Proxy
}

func (h controlHandler) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET "+pathFaults, h.list)
	m.HandleFunc("POST "+pathFaults, h.set)
	m.HandleFunc("DELETE "+pathFaults, h.clearAll)
	m.HandleFunc("DELETE "+pathFaults+"/{id}", h.clear)
	m.HandleFunc("GET "+pathProxy, h.proxy)
	return m
}

func (h controlHandler) list(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.e.List())
}

func (h controlHandler) set(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody)).Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id, err := h.e.Set(f)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	for _, a := range h.e.List() {
		if a.ID == id {
			writeJSON(w, http.StatusCreated, a)
			return
		}
	}
	writeJSON(w, http.StatusCreated, Active{ID: id, Fault: f.WithDefaults()}) // cleared meanwhile
}

func (h controlHandler) clear(w http.ResponseWriter, r *http.Request) {
	if err := h.e.Clear(r.PathValue("id")); err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h controlHandler) clearAll(w http.ResponseWriter, _ *http.Request) {
	h.e.ClearAll()
	w.WriteHeader(http.StatusNoContent)
}

// ProxyInfo describes a running proxy.
type ProxyInfo struct {
	// Bootstrap is the address clients bootstrap from.
	Bootstrap string `json:"bootstrap"`
	// Brokers are the upstream brokers discovered so far.
	Brokers []ProxiedBroker `json:"brokers"`
}

func (h controlHandler) proxy(w http.ResponseWriter, _ *http.Request) {
	if h.p == nil {
		writeError(w, http.StatusNotFound, errors.New("no proxy behind this control endpoint"))
		return
	}
	writeJSON(w, http.StatusOK, ProxyInfo{Bootstrap: h.p.Bootstrap(), Brokers: h.p.Brokers()})
}

// controlError is the JSON body of an error answer.
type controlError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, controlError{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
