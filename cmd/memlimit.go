package cmd

import (
	"os"
	"runtime/debug"
)

// memoryLimitSlack is the heap kq needs beside a command's buffers
// (clients, metadata, the request being encoded).
const memoryLimitSlack = 16 << 20

// softMemoryLimit asks the garbage collector to keep the heap near twice
// buffers plus memoryLimitSlack for the rest of a command (restore with
// the returned function) unless the user set GOMEMLIMIT. With the default
// pacing the heap may grow to twice what is live before a collection; the
// limit is soft, so a heap that needs more still gets it.
func softMemoryLimit(buffers int) (restore func()) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return func() {}
	}
	prev := debug.SetMemoryLimit(int64(2*buffers + memoryLimitSlack))
	return func() { debug.SetMemoryLimit(prev) }
}
