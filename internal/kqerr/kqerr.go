// Package kqerr holds the error kinds that decide kq's exit code.
//
// Library packages wrap one of these sentinels (with fmt.Errorf and %w) when
// an error belongs to a kind the user should be able to tell apart from a
// plain failure; cmd.Main maps them to exit codes with errors.Is. Any other
// error exits with [CodeError].
package kqerr

import (
	"errors"
	"fmt"
	"syscall"
)

// Exit codes, as documented in `kq help exit-codes`.
const (
	// CodeOK means success.
	CodeOK = 0
	// CodeError is a runtime or Kafka error.
	CodeError = 1
	// CodeUsage is a usage error: bad flags, arguments or input format.
	CodeUsage = 2
	// CodeCheckFailed means a check did not pass: a verify violation, or a
	// lag over --max-lag.
	CodeCheckFailed = 3
	// CodeUnreachable means the cluster could not be reached, or
	// authentication failed.
	CodeUnreachable = 4
	// CodeInconclusive means a check could not judge: kq verify's run or
	// history holds too little evidence for a verdict.
	CodeInconclusive = 5
	// CodeInterrupted means the user interrupted kq (SIGINT or SIGTERM).
	CodeInterrupted = 130
	// CodeBrokenPipe means standard output was closed by its reader (kq
	// consume | head): the status of a process killed by SIGPIPE, after a
	// clean stop.
	CodeBrokenPipe = 141
)

var (
	// ErrUsage marks bad flags, arguments, or malformed user input.
	ErrUsage = errors.New("usage error")
	// ErrCheckFailed marks a check that ran and failed.
	ErrCheckFailed = errors.New("check failed")
	// ErrInconclusive marks a check that could not judge for want of
	// evidence.
	ErrInconclusive = errors.New("inconclusive")
	// ErrUnreachable marks a cluster that could not be reached.
	ErrUnreachable = errors.New("cluster unreachable")
	// ErrAuth marks an authentication or TLS handshake failure.
	ErrAuth = errors.New("authentication failed")
	// ErrInterrupted marks work stopped by SIGINT or SIGTERM.
	ErrInterrupted = errors.New("interrupted")
)

// Code returns the exit code for err: [CodeOK] for nil, the code of the first
// sentinel err wraps, and [CodeError] otherwise.
func Code(err error) int {
	switch {
	case err == nil:
		return CodeOK
	case errors.Is(err, ErrInterrupted):
		return CodeInterrupted
	case IsBrokenPipe(err):
		return CodeBrokenPipe
	case errors.Is(err, ErrUsage):
		return CodeUsage
	case errors.Is(err, ErrCheckFailed):
		return CodeCheckFailed
	case errors.Is(err, ErrInconclusive):
		return CodeInconclusive
	case errors.Is(err, ErrUnreachable), errors.Is(err, ErrAuth):
		return CodeUnreachable
	default:
		return CodeError
	}
}

// IsBrokenPipe reports whether err is a write to a pipe whose reader has
// gone (EPIPE).
func IsBrokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// Usagef is a convenience for a usage error with a message: the message is
// what the user sees; the result matches [ErrUsage] under errors.Is.
func Usagef(format string, args ...any) error {
	return &usage{msg: fmt.Sprintf(format, args...)}
}

type usage struct{ msg string }

func (u *usage) Error() string        { return u.msg }
func (u *usage) Is(target error) bool { return target == ErrUsage }
