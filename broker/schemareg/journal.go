package schemareg

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
)

// journalFile is the journal's path under the data directory.
const journalFile = "schema-registry/journal.jsonl"

// journal is the append-only log of the registry's successful changes.
// Replaying it in order through a fresh registry rebuilds the same state,
// ids and versions included.
type journal struct{ f *os.File }

// entry is one change: the request that made it.
type entry struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// openJournal replays dir's journal through h and opens it for appending;
// with dir "" it keeps nothing.
func openJournal(dir string, h http.Handler) (*journal, error) {
	if dir == "" {
		return &journal{}, nil
	}
	path := filepath.Join(dir, journalFile)
	if err := replay(path, h); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	return &journal{f: f}, nil
}

// replay applies every complete entry of the journal at path. A torn last
// line (a crash while writing it) is ignored: its change was never
// answered as done.
func replay(path string, h http.Handler) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	lines := bytes.Split(b, []byte("\n"))
	lines = lines[:len(lines)-1] // after the last newline: nothing, or a torn line
	for n, line := range lines {
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("schema registry journal %s line %d: %w", path, n+1, err)
		}
		if code := apply(h, e); code/100 != 2 {
			return fmt.Errorf("schema registry journal %s line %d: %s %s answered %d on replay", path, n+1, e.Method, e.Path, code)
		}
	}
	return nil
}

// apply runs one change through h and returns the status code.
func apply(h http.Handler, e entry) int {
	req := httptest.NewRequest(e.Method, e.Path, bytes.NewReader(e.Body))
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// append writes one change and syncs it to disk.
func (j *journal) append(e entry) error {
	if j.f == nil {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("schema registry journal: %w", err)
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("schema registry journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("schema registry journal: %w", err)
	}
	return nil
}

func (j *journal) close() error {
	if j == nil || j.f == nil {
		return nil
	}
	return j.f.Close()
}
