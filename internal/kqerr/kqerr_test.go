package kqerr

import (
	"errors"
	"fmt"
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
		{fmt.Errorf("dial: %w", ErrUnreachable), CodeUnreachable},
		{fmt.Errorf("sasl: %w", ErrAuth), CodeUnreachable},
		{fmt.Errorf("produce: %w", ErrInterrupted), CodeInterrupted},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("Code(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
	if msg := Usagef("bad offset %q", "x").Error(); msg != `bad offset "x"` {
		t.Errorf("Usagef message = %q", msg)
	}
}
