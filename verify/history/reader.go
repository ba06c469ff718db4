package history

import (
	"errors"
	"fmt"
	"io"

	"github.com/kq-dev/kq/internal/kqerr"
)

// MaxLineSize is the longest history line [Read] accepts.
const MaxLineSize = 1 << 20

// Read reads a history of JSON lines from r and calls fn with each
// event, in order. Blank lines are skipped. It stops at the first error: a
// malformed or invalid line gives an error that names the line and matches
// [kqerr.ErrUsage]; an error from fn is returned wrapped, with the line
// number; a read error is returned wrapped.
func Read(r io.Reader, fn func(Event) error) error {
	return ReadWith(r, ReadOptions{}, fn)
}

// ReadOptions change how [ReadWith] reads a history.
type ReadOptions struct {
	// Lenient ignores keys the format does not define and takes the last
	// of a duplicated key, as encoding/json does (and so matches keys in
	// any case). Without it such a line is an error naming the line: a
	// typo such as "last_ofset" would otherwise change a verdict silently.
	Lenient bool
}

// ReadWith is [Read] with options.
func ReadWith(r io.Reader, opts ReadOptions, fn func(Event) error) error {
	s := NewScanner(r, opts)
	for s.Scan() {
		if err := fn(s.Event()); err != nil {
			return fmt.Errorf("history line %d: %w", s.Line(), err)
		}
	}
	return s.Err()
}

// lineError turns a decoding error into a usage error naming the line.
func lineError(line int, err error) error {
	if errors.Is(err, kqerr.ErrUsage) {
		return kqerr.Usagef("history line %d: %s", line, err)
	}
	return kqerr.Usagef("history line %d: not a history event: %s", line, err)
}
