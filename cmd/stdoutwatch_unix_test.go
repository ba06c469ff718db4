//go:build unix

package cmd

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestWatchStdoutNoticesTheReaderGoing(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	watchStdout(ctx, cancel, w)
	select {
	case <-ctx.Done():
		t.Fatalf("cancelled while the reader is there: %v", context.Cause(ctx))
	case <-time.After(3 * stdoutPollMillis * time.Millisecond):
	}
	r.Close()
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), syscall.EPIPE) {
			t.Fatalf("cause %v, want EPIPE", context.Cause(ctx))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the closed reader was not noticed within 10s")
	}
}
