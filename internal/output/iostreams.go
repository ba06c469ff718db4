// Package output is kq's one rendering layer: the process's IO streams
// (injected, so commands are testable), table and JSON output, colour, and
// progress lines.
//
// Conventions: data goes to Out; logs, progress and summaries go to ErrOut.
// Tables are rendered with olekukonko/tablewriter in a plain, borderless
// style; JSON uses snake_case keys and is a stable contract. Colour comes
// from fatih/color and is on only when Out is a terminal and NO_COLOR is
// unset, unless --color always/never says otherwise.
package output

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of one kq invocation and what is known
// about them.
type IOStreams struct {
	// In is standard input.
	In io.Reader
	// Out receives data: tables, JSON, records.
	Out io.Writer
	// ErrOut receives logs, warnings, progress and summaries.
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	noColorEnv            bool
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY:      isTerminal(os.Stdin),
		outTTY:     isTerminal(os.Stdout),
		errTTY:     isTerminal(os.Stderr),
		noColorEnv: os.Getenv("NO_COLOR") != "",
	}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY marks the streams as terminals or not (for tests).
func (s *IOStreams) SetTTY(in, out, err bool) { s.inTTY, s.outTTY, s.errTTY = in, out, err }

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// NoColorEnv reports whether NO_COLOR was set.
func (s *IOStreams) NoColorEnv() bool { return s.noColorEnv }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
