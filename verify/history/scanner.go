package history

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Scanner reads a history one event at a time, for a reader that pulls
// (see [Merger]); [ReadWith] pushes instead.
type Scanner struct {
	sc   *bufio.Scanner
	opts ReadOptions
	line int
	ev   Event
	err  error
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader, opts ReadOptions) *Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
	return &Scanner{sc: sc, opts: opts}
}

// Scan reads the next event; false at the end or on an error (see Err).
// Blank lines are skipped.
func (s *Scanner) Scan() bool {
	if s.err != nil {
		return false
	}
	for s.sc.Scan() {
		s.line++
		b := bytes.TrimSpace(s.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e Event
		if err := e.decode(b, s.opts.Lenient); err != nil {
			s.err = lineError(s.line, err)
			return false
		}
		s.ev = e
		return true
	}
	if err := s.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			s.err = kqerr.Usagef("history line %d: longer than %d bytes", s.line+1, MaxLineSize)
		} else {
			s.err = fmt.Errorf("read history: %w", err)
		}
	}
	return false
}

// Event is the event the last Scan read.
func (s *Scanner) Event() Event { return s.ev }

// Line is the line number of the last event read.
func (s *Scanner) Line() int { return s.line }

// Err is the error that stopped Scan: a malformed or invalid line (a
// usage error naming the line) or a read error; nil at the end.
func (s *Scanner) Err() error { return s.err }
