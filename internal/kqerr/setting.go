package kqerr

import (
	"fmt"
	"strings"
)

// SettingError is an error whose message names settings. Libraries never
// name a command-line flag: the format names each setting in braces
// ("{fault duration} must be positive, got %v"); [SettingError.Error]
// prints the names as words ("fault duration must be positive, got 0s")
// and [SettingError.Render] prints them as the caller spells them (cmd
// spells each as its flag).
type SettingError struct {
	format string
	args   []any
	kind   error
}

// Settingf returns a usage error naming settings in braces: it matches
// [ErrUsage] under errors.Is.
func Settingf(format string, args ...any) error {
	return &SettingError{format: format, args: args, kind: ErrUsage}
}

// SettingErrorf returns a plain error naming settings in braces; a %w in
// format wraps its argument as fmt.Errorf does.
func SettingErrorf(format string, args ...any) error {
	return &SettingError{format: format, args: args}
}

// Error returns the message with each setting named in words.
func (e *SettingError) Error() string { return e.Render(func(s string) string { return s }) }

// Render returns the message with each {setting} replaced by spell(setting).
func (e *SettingError) Render(spell func(setting string) string) string {
	return fmt.Errorf(spellSettings(e.format, spell), e.args...).Error()
}

// Is reports whether target is the error's kind ([ErrUsage] for
// [Settingf]).
func (e *SettingError) Is(target error) bool { return e.kind != nil && target == e.kind }

// Unwrap returns the errors the format wrapped with %w.
func (e *SettingError) Unwrap() []error {
	switch w := fmt.Errorf(e.format, e.args...).(type) {
	case interface{ Unwrap() error }:
		return []error{w.Unwrap()}
	case interface{ Unwrap() []error }:
		return w.Unwrap()
	}
	return nil
}

// SettingRenderer is an error whose message names settings, which
// [RenderSettings] spells as its caller does: [SettingError], or a
// library's own error type with a [SettingText] in it.
type SettingRenderer interface {
	error
	// Render returns the message with each setting spelled by spell.
	Render(spell func(setting string) string) string
}

// RenderSettings returns err's message with the settings of every
// [SettingRenderer] in its chain spelled by spell (the message of a
// wrapper holds its wrapped error's message verbatim).
func RenderSettings(err error, spell func(setting string) string) string {
	msg := err.Error()
	for _, se := range settingErrors(err) {
		msg = strings.Replace(msg, se.Error(), se.Render(spell), 1)
	}
	return msg
}

// settingErrors returns the SettingRenderers in err's tree, outermost
// first.
func settingErrors(err error) []SettingRenderer {
	var out []SettingRenderer
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if se, ok := e.(SettingRenderer); ok {
			out = append(out, se)
			return
		}
		switch w := e.(type) {
		case interface{ Unwrap() error }:
			walk(w.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range w.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// spellSettings replaces each {name} in format by spell(name); "{{" is a
// literal "{".
func spellSettings(format string, spell func(string) string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(format, '{')
		if open < 0 {
			break
		}
		if strings.HasPrefix(format[open:], "{{") {
			b.WriteString(format[:open+1])
			format = format[open+2:]
			continue
		}
		end := strings.IndexByte(format[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(format[:open])
		b.WriteString(spell(format[open+1 : open+end]))
		format = format[open+end+1:]
	}
	b.WriteString(format)
	return b.String()
}

// SettingText is a message for the user that names settings in braces,
// as [SettingError]'s format does: a note or a log line that the caller
// may spell in its own terms. It prints, and encodes in JSON, with the
// settings named in words.
type SettingText string

// String returns the text with each setting named in words.
func (t SettingText) String() string { return t.Render(func(s string) string { return s }) }

// Render returns the text with each {setting} replaced by spell(setting).
func (t SettingText) Render(spell func(setting string) string) string {
	return spellSettings(string(t), spell)
}

// MarshalText encodes the text with the settings in words.
func (t SettingText) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// PlainText is s as a [SettingText] that names no setting: its braces are
// kept as they are.
func PlainText(s string) SettingText { return SettingText(strings.ReplaceAll(s, "{", "{{")) }
