package setting

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// UnknownError is a value that is not one of a setting's accepted values.
// It matches kqerr.ErrUsage under errors.Is.
type UnknownError struct {
	// Name is what the value was for: a setting ("isolation") or, once a
	// command renamed it, the command's spelling of it.
	Name string
	// Value is the value as the user wrote it.
	Value string
	// Want are the accepted values, in their canonical spelling.
	Want []string
}

// Error reads `unknown NAME "VALUE" (want a, b or c)`.
func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown %s %q (want %s)", e.Name, e.Value, OrList(e.Want))
}

// Is makes the error a usage error.
func (e *UnknownError) Is(target error) bool { return target == kqerr.ErrUsage }

// As returns err with an [*UnknownError] in it renamed to name (a flag, for
// a command that read the value from one); any other error is returned as
// it is.
func As(err error, name string) error {
	var u *UnknownError
	if !errors.As(err, &u) {
		return err
	}
	renamed := *u
	renamed.Name = name
	return &renamed
}

// OrList joins words as "a, b or c".
func OrList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Normalize is the form values are compared in: lower case, '-' for '_'.
func Normalize(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
}

// Parse returns the value among values that s names (see [Normalize]),
// or an [*UnknownError] named name.
func Parse[T ~string](name, s string, values ...T) (T, error) {
	return ParseAliased(name, s, nil, values...)
}

// ParseAliased is [Parse] where aliases maps further spellings (compared
// normalised) to values; aliases are accepted but not listed as wanted.
func ParseAliased[T ~string](name, s string, aliases map[string]T, values ...T) (T, error) {
	n := Normalize(s)
	for _, v := range values {
		if Normalize(string(v)) == n {
			return v, nil
		}
	}
	for a, v := range aliases {
		if Normalize(a) == n {
			return v, nil
		}
	}
	want := make([]string, len(values))
	for i, v := range values {
		want[i] = string(v)
	}
	var zero T
	return zero, &UnknownError{Name: name, Value: s, Want: want}
}
