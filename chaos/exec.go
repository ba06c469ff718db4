package chaos

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// maxExecOutput bounds the output kept of one exec command.
const maxExecOutput = 64 << 10

// ExecFault runs user commands at the start and the end of its windows,
// for faults kq cannot apply itself (stopping a broker service, tc qdisc
// rules), as a Jepsen nemesis does. Commands run with sh -c and the
// environment variables KQ_FAULT_PHASE (start or end) and KQ_FAULT_TARGET
// (the window's target, if any). Their output goes to Log line by line; a
// non-zero exit, or running past Timeout, is an error.
type ExecFault struct {
	// Start runs when a window opens; "" runs nothing.
	Start string
	// End runs when a window closes (and on interruption); "" runs
	// nothing.
	End string
	// Timeout bounds each command; 0 means one minute.
	Timeout time.Duration
	// Log receives the commands' output, each line prefixed with
	// "exec start: " or "exec end: "; nil discards it.
	Log io.Writer
}

// Inject runs the start command; healing runs the end command.
func (x *ExecFault) Inject(ctx context.Context, f Fault) (Heal, error) {
	if err := x.run(ctx, "start", x.Start, f.Target); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return x.run(ctx, "end", x.End, f.Target) }, nil
}

// run runs one command and logs its output.
func (x *ExecFault) run(ctx context.Context, phase, command, target string) error {
	if command == "" {
		return nil
	}
	timeout := x.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Env = append(os.Environ(), "KQ_FAULT_PHASE="+phase, "KQ_FAULT_TARGET="+target)
	cmd.WaitDelay = time.Second
	out := &tailBuffer{max: maxExecOutput}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	x.log(phase, out.Bytes())
	return execError(ctx, phase, err, out.Bytes())
}

// execError describes a failed command with the last line of its output.
func execError(ctx context.Context, phase string, err error, out []byte) error {
	if err == nil {
		return nil
	}
	last := lastLine(out)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("chaos exec: %s command timed out: %w", phase, ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("chaos exec: %s command exited with status %d: %s", phase, exit.ExitCode(), last)
	}
	return fmt.Errorf("chaos exec: %s command: %w", phase, err)
}

func (x *ExecFault) log(phase string, out []byte) {
	if x.Log == nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fmt.Fprintf(x.Log, "exec %s: %s\n", phase, sc.Text())
	}
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

// Write appends p, dropping the oldest bytes beyond max.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// Bytes returns the kept output.
func (t *tailBuffer) Bytes() []byte { return t.buf }
