package cmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/testutil"
)

// syncBuffer is a bytes.Buffer safe to read while another goroutine
// writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLagWatchRefreshesUntilInterrupted(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	gc, err := groups.Open(testutil.Factory(b))
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	plan, err := gc.PlanReset(context.Background(), "g", groups.ResetSpec{Mode: groups.ToEarliest,
		Topics: []groups.TopicScope{{Topic: "t"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := gc.ApplyReset(context.Background(), &plan); err != nil {
		t.Fatal(err)
	}
	for _, tty := range []bool{false, true} {
		ios, _, _, _ := output.Test()
		out, errOut := &syncBuffer{}, &syncBuffer{}
		ios.Out, ios.ErrOut = out, errOut
		ios.SetTTY(false, tty, false)
		p := output.NewPrinter(ios, output.Table, output.ColorNever)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- lagWatch(ctx, gc, p, &GroupsLagOptions{Group: "g", MaxLag: 0, Watch: 20 * time.Millisecond})
		}()
		testutil.Eventually(t, 10*time.Second, "three refreshes", func() bool {
			return strings.Count(out.String(), "TOPIC") >= 3
		})
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, kqerr.ErrInterrupted) {
				t.Errorf("watch ended with %v, want interrupted", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("watch did not stop when interrupted")
		}
		clears := strings.Count(out.String(), "\x1b[H\x1b[2J")
		if tty && clears < 3 || !tty && clears != 0 {
			t.Errorf("tty %v: %d screen clears in %q", tty, clears, out.String())
		}
		if !strings.Contains(errOut.String(), "every 20ms, Ctrl-C stops") {
			t.Errorf("no refresh line on stderr: %q", errOut.String())
		}
	}
}
