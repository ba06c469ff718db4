package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// Format is an output format for commands that show data.
type Format string

// The formats every data command supports; some commands add their own
// (consume has raw and a --format template).
const (
	// Table is the human default.
	Table Format = "table"
	// JSON is the machine contract, snake_case keys.
	JSON Format = "json"
)

// ParseFormat checks s against the allowed formats (table and json when
// none are given).
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if len(allowed) == 0 {
		allowed = []Format{Table, JSON}
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", kqerr.Usagef("unknown output format %q (want %s)", s, strings.Join(names, ", "))
}

// ColorMode is the --color setting.
type ColorMode string

// The --color values.
const (
	ColorAuto   ColorMode = "auto"
	ColorAlways ColorMode = "always"
	ColorNever  ColorMode = "never"
)

// ParseColorMode checks a colour mode (any case). An unknown one is a
// usage error.
func ParseColorMode(s string) (ColorMode, error) {
	return setting.Parse("color", s, ColorAuto, ColorAlways, ColorNever)
}

// Printer renders data in the chosen format to an IOStreams.
type Printer struct {
	// IO are the streams written to.
	IO *IOStreams
	// Format is the chosen output format.
	Format Format
	// Color enables colour in tables and verdicts.
	Color bool
}

// NewPrinter returns a printer; colour follows mode, the terminal and
// NO_COLOR.
func NewPrinter(s *IOStreams, f Format, mode ColorMode) *Printer {
	on := false
	switch mode {
	case ColorAlways:
		on = true
	case ColorAuto, "":
		on = s.IsStdoutTTY() && !s.NoColorEnv()
	}
	return &Printer{IO: s, Format: f, Color: on}
}

// JSON writes v as indented JSON followed by a newline.
func (p *Printer) JSON(v any) error {
	enc := json.NewEncoder(p.IO.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // JSON for programs and people, not HTML: <, > and & stay
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// Table writes rows under an upper-cased header in kq's plain style.
func (p *Printer) Table(header []string, rows [][]string) error {
	return RenderTable(p.IO.Out, header, rows)
}

// RenderTable writes a borderless table with an upper-cased header.
func RenderTable(w io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = s
	}
	t.Header(h...)
	for _, r := range rows {
		if err := t.Append(r); err != nil {
			return fmt.Errorf("table row: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	return writeTrimmed(w, buf.Bytes())
}

// writeTrimmed writes text with the padding at the end of each line removed.
func writeTrimmed(w io.Writer, text []byte) error {
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		nl := bytes.HasSuffix(line, []byte("\n"))
		line = bytes.TrimRight(line, " \n")
		if nl {
			line = append(line, '\n')
		}
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	return nil
}

// KV writes key/value pairs as a two-column list, for describe-style
// output.
func (p *Printer) KV(pairs [][2]string) error {
	width := 0
	for _, kv := range pairs {
		width = max(width, len(kv[0]))
	}
	for _, kv := range pairs {
		if _, err := fmt.Fprintf(p.IO.Out, "%-*s  %s\n", width+1, kv[0]+":", kv[1]); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// Good colours s green (when colour is on).
func (p *Printer) Good(s string) string { return p.paint(s, color.FgGreen, color.Bold) }

// Bad colours s red (when colour is on).
func (p *Printer) Bad(s string) string { return p.paint(s, color.FgRed, color.Bold) }

// Warn colours s yellow (when colour is on).
func (p *Printer) Warn(s string) string { return p.paint(s, color.FgYellow) }

// Faint dims s (when colour is on).
func (p *Printer) Faint(s string) string { return p.paint(s, color.Faint) }

func (p *Printer) paint(s string, attrs ...color.Attribute) string {
	if !p.Color {
		return s
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c.Sprint(s)
}
