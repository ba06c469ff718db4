package history

import (
	"bufio"
	"bytes"
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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e Event
		if err := e.decode(b, opts.Lenient); err != nil {
			return lineError(line, err)
		}
		if err := fn(e); err != nil {
			return fmt.Errorf("history line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return kqerr.Usagef("history line %d: longer than %d bytes", line+1, MaxLineSize)
		}
		return fmt.Errorf("read history: %w", err)
	}
	return nil
}

// lineError turns a decoding error into a usage error naming the line.
func lineError(line int, err error) error {
	if errors.Is(err, kqerr.ErrUsage) {
		return kqerr.Usagef("history line %d: %s", line, err)
	}
	return kqerr.Usagef("history line %d: not a history event: %s", line, err)
}
