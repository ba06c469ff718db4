package main

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestVerifyKillNodeAcks is the replication model seen from kq verify on
// the built-in broker: with acks=1 and no retries, killing partition
// leaders loses acknowledged writes (exit 3); with acks=all nothing
// acknowledged is lost (exit 0). It runs a kq built without -race: kfake's
// node removal races with its group coordinator lookup, a data race inside
// kfake that kq cannot fix (kq's own code is race-tested in package broker,
// TestKillNodeLosesAcksOneTail).
func TestVerifyKillNodeAcks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kq and runs two verify runs")
	}
	t.Parallel()
	kq := filepath.Join(t.TempDir(), "kq")
	if out, err := exec.Command("go", "build", "-o", kq, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(acks string) (int, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, kq, "verify", "--semantics", "at-least-once", "--acks", acks, "--retries", "0",
			"--faults", "kill-node", "--messages", "4000", "--rate", "2000", "--fault-interval", "500ms", "--fault-duration", "500ms")
		cmd.Env = append(cmd.Environ(), "NO_COLOR=1", "KQ_BROKERS=")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("kq verify --acks %s: %v\n%s", acks, err, out)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}
	if code, out := run("1"); code != 3 || !strings.Contains(out, "acknowledged values never delivered") {
		t.Fatalf("acks=1 under kill-node: exit %d, want 3 with lost acknowledged writes:\n%s", code, out)
	}
	code, out := run("all")
	if !strings.Contains(out, "verdict: at-least-once HELD") || !regexp.MustCompile(`(?m)^lost +0 +ok$`).MatchString(out) {
		t.Fatalf("acks=all under kill-node: exit %d, want HELD with nothing lost:\n%s", code, out)
	}
	switch {
	case code == 0:
	case code == 1 && strings.Contains(out, "consumers did not catch up"):
		// Known: now and then a consumer group stalls after kill-node
		// with the replication model on; the verdict above still holds.
		t.Logf("acks=all: the consumers did not catch up (known stall after kill-node):\n%s", out)
	default:
		t.Fatalf("acks=all under kill-node: exit %d:\n%s", code, out)
	}
}
