package schemareg

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 4 << 20

// Handler returns the registry's HTTP handler.
func (s *Server) Handler() http.Handler {
	inner := s.reg.Handler()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions/{version}", s.handleCompat)
	mux.HandleFunc("POST /compatibility/subjects/{subject}/versions", s.handleCompat)
	mux.HandleFunc("POST /subjects/{subject}/versions", s.handleRegister)
	mux.Handle("/", s.changes(inner))
	return mux
}

// changes passes requests to the registry and journals the successful
// changes among them.
func (s *Server) changes(inner http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isChange(r) {
			inner.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, 41301, "request body too large")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.journalOK(w) {
			return
		}
		s.apply(w, r, body, inner)
	})
}

// apply serves one change (s.mu held) and journals it when it succeeded.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, body []byte, inner http.Handler) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusWriter{ResponseWriter: w}
	inner.ServeHTTP(rec, r)
	if rec.status/100 != 2 {
		return
	}
	e := entry{Method: r.Method, Path: r.URL.RequestURI()}
	if len(bytes.TrimSpace(body)) > 0 {
		e.Body = json.RawMessage(body)
	}
	if err := s.journal.append(e); err != nil {
		// The answer is already on its way and the change lives in
		// memory only: refuse further changes (see journalOK).
		s.journalErr = err
	}
}

// isChange tells requests that change the registry: every PUT, DELETE and
// POST except the lookups (POST /subjects/{subject}) and checks.
func isChange(r *http.Request) bool {
	switch r.Method {
	case http.MethodPut, http.MethodDelete:
		return true
	case http.MethodPost:
		p := strings.Trim(r.URL.Path, "/")
		parts := strings.Split(p, "/")
		return !(len(parts) == 2 && parts[0] == "subjects") && parts[0] != "compatibility"
	}
	return false
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// writeError writes a registry error body.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error_code": code, "message": msg})
}

// journalOK answers 500 and returns false once the journal has failed
// (s.mu held).
func (s *Server) journalOK(w http.ResponseWriter) bool {
	if s.journalErr == nil {
		return true
	}
	writeError(w, http.StatusInternalServerError, 50001, s.journalErr.Error())
	return false
}
