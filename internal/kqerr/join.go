package kqerr

import "strings"

// WithKind returns an error whose message is msg and that matches kind
// under errors.Is: a sentinel for callers to test, a message of its own for
// the user.
func WithKind(kind error, msg string) error { return kindError{msg: msg, kind: kind} }

type kindError struct {
	msg  string
	kind error
}

func (e kindError) Error() string        { return e.msg }
func (e kindError) Is(target error) bool { return target == e.kind }

// Join joins errs into one error whose message lists them on one line,
// separated by "; " (errors.Join would use newlines, and kq prints one
// line per error); nil when there are none. The result matches each of
// errs under errors.Is and errors.As.
func Join(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return joined(errs)
}

type joined []error

func (j joined) Error() string {
	msgs := make([]string, len(j))
	for i, e := range j {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (j joined) Unwrap() []error { return j }
