package report

import (
	"fmt"
	"io"
	"os"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// Watch is an anomaly whose examples the report places and lists: its
// name (the checker's key), its count, and the checker's examples of it.
type Watch struct {
	Anomaly  check.Anomaly
	Count    uint64
	Examples []check.Example
}

// Read reads a history from r (see [history.Read]) and returns its series
// and the watched anomalies with their examples' times; with src (the
// checker of the same history; may be nil) the series marks and counts
// every anomaly (see [Builder.Place]). Its errors are history.Read's.
func Read(r io.Reader, opts Options, watch []Watch, src AnomalySource) (Series, []AnomalyExamples, error) {
	b := NewBuilder(opts)
	for _, w := range watch {
		b.Watch(string(w.Anomaly), w.Count, w.Examples)
	}
	err := history.ReadWith(r, history.ReadOptions{Lenient: opts.Lenient}, b.Add)
	if err != nil {
		return Series{}, nil, err
	}
	if src != nil {
		b.Place(src)
	}
	return b.Series(), b.Anomalies(), nil
}

// ReadFile is [Read] of the history in the file at path.
func ReadFile(path string, opts Options, watch []Watch, src AnomalySource) (Series, []AnomalyExamples, error) {
	f, err := os.Open(path)
	if err != nil {
		return Series{}, nil, fmt.Errorf("open history: %w", err)
	}
	defer f.Close()
	return Read(f, opts, watch, src)
}

// WriteFile renders p (see [Render]) into the file at path.
func WriteFile(path string, p Page) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := Render(f, p); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
