//go:build unix

package cmd

import (
	"context"
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stdoutPollMillis is how long one poll of standard output waits, so the
// watcher notices the end of the run.
const stdoutPollMillis = 200

// watchStdout cancels ctx with syscall.EPIPE once the reader of out, a
// pipe, has gone (kq consume | head): a consumer waiting for records on a
// quiet topic stops at once instead of at its next write, which may never
// come. Only consume watches: other commands that do not write to stdout
// need not stop when its reader goes.
func watchStdout(ctx context.Context, cancel context.CancelCauseFunc, out *os.File) {
	st, err := out.Stat()
	if err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	rc, err := out.SyscallConn()
	if err != nil {
		return
	}
	var fd int32 = -1
	if rc.Control(func(f uintptr) { fd = int32(f) }) != nil || fd < 0 {
		return
	}
	go func() {
		fds := []unix.PollFd{{Fd: fd}}
		for ctx.Err() == nil {
			n, err := unix.Poll(fds, stdoutPollMillis)
			if err != nil && !errors.Is(err, unix.EINTR) {
				return
			}
			if n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				cancel(syscall.EPIPE)
				return
			}
		}
	}()
}
