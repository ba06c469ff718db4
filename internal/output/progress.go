package output

import (
	"fmt"
	"io"
	"time"
)

// progressEvery is how often a progress line is printed where it cannot be
// rewritten in place.
const progressEvery = 2 * time.Second

// Progress shows a changing status line on a stream (stderr): rewritten
// in place on a terminal, a plain line every few seconds when verbose,
// nothing otherwise. Done clears a line left on a terminal.
type Progress struct {
	w       io.Writer
	tty     bool
	verbose bool
	last    time.Time
	shown   bool
}

// NewProgress returns a Progress on w; tty says whether w is a terminal.
func NewProgress(w io.Writer, tty, verbose bool) *Progress {
	return &Progress{w: w, tty: tty, verbose: verbose}
}

// Show shows line.
func (p *Progress) Show(line string) {
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.shown = true
	case p.verbose && time.Since(p.last) >= progressEvery:
		fmt.Fprintln(p.w, line)
		p.last = time.Now()
	}
}

// Done clears the line on a terminal.
func (p *Progress) Done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
