package kqerr

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, CodeOK},
		{errors.New("boom"), CodeError},
		{fmt.Errorf("x: %w", ErrUsage), CodeUsage},
		{Usagef("bad offset %q", "x"), CodeUsage},
		{fmt.Errorf("verify: %w", ErrCheckFailed), CodeCheckFailed},
		{fmt.Errorf("verify: %w", ErrInconclusive), CodeInconclusive},
		{fmt.Errorf("dial: %w", ErrUnreachable), CodeUnreachable},
		{fmt.Errorf("sasl: %w", ErrAuth), CodeUnreachable},
		{fmt.Errorf("produce: %w", ErrInterrupted), CodeInterrupted},
		{fmt.Errorf("consume: %w", &os.PathError{Op: "write", Path: "|1", Err: syscall.EPIPE}), CodeBrokenPipe},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if msg := Usagef("bad offset %q", "x").Error(); msg != `bad offset "x"` {
		t.Errorf("Usagef message = %q", msg)
	}
}

func TestJoinAndKind(t *testing.T) {
	a := WithKind(ErrUsage, "group a does not exist")
	b := errors.New("topic b does not exist")
	err := Join([]error{a, b})
	if err.Error() != "group a does not exist; topic b does not exist" {
		t.Errorf("Join message = %q", err)
	}
	if !errors.Is(err, ErrUsage) || !errors.Is(err, b) {
		t.Errorf("Join lost its parts: %v", err)
	}
	if Join(nil) != nil {
		t.Error("Join(nil) != nil")
	}
	if errors.Is(a, ErrCheckFailed) || a.Error() != "group a does not exist" {
		t.Errorf("WithKind = %v", a)
	}
}
