// Package schemareg is the built-in broker's Schema Registry: a
// Confluent-compatible HTTP API (subjects, versions, schemas by id,
// config/compatibility, mode) served on a loopback address, with its
// state kept in the broker's data directory.
//
// The API and in-memory state are franz-go's srfake registry. This package
// adds what a local registry needs beyond a test double: persistence (every
// successful change is appended to a journal and replayed at start, which
// reproduces the same ids and versions), schema validation at
// registration, and real compatibility checks for Avro (hamba/avro's
// schema compatibility) under the subject's level, applied both to
// registrations and to POST /compatibility. Protobuf and JSON Schema
// changes are not checked for compatibility; the check's answer says so.
package schemareg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// DefaultAddr is where `kq broker --schema-registry` listens by default,
// the Schema Registry's usual port.
const DefaultAddr = "127.0.0.1:8081"

// Options configure a registry server.
type Options struct {
	// Addr is the listen address (host:port; port 0 picks a free one).
	Addr string
	// DataDir keeps the registry's journal; "" keeps it in memory only.
	DataDir string
}

// Server is a running registry.
type Server struct {
	reg     *srfake.Registry
	journal *journal
	ln      net.Listener
	srv     *http.Server
	done    chan error
	closing sync.Once
	closed  error

	// mu orders changes so the journal holds them in the order applied.
	mu sync.Mutex
	// journalErr is the journal's failure (mu held): once the journal
	// cannot be written, changes are refused rather than lost.
	journalErr error
}

// Start replays the journal in o.DataDir, if any, and serves the registry.
func Start(o Options) (*Server, error) {
	s, err := New(o.DataDir)
	if err != nil {
		return nil, err
	}
	addr := o.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.journal.close()
		return nil, fmt.Errorf("schema registry: listen %s: %w", addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// New returns a registry that is not served yet (its [Server.Handler] can
// be served by the caller), with the journal in dataDir replayed.
func New(dataDir string) (*Server, error) {
	s := &Server{reg: srfake.NewRegistry()}
	j, err := openJournal(dataDir, s.reg.Handler())
	if err != nil {
		return nil, err
	}
	s.journal = j
	return s, nil
}

// URL is the registry's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving and closes the journal. It may be called more than
// once.
func (s *Server) Close() error {
	s.closing.Do(func() { s.closed = s.close() })
	return s.closed
}

func (s *Server) close() error {
	var err error
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = s.srv.Shutdown(ctx)
		if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	if jerr := s.journal.close(); jerr != nil && err == nil {
		err = jerr
	}
	return err
}
