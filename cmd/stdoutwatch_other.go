//go:build !unix

package cmd

import (
	"context"
	"os"
)

// watchStdout does nothing where poll(2) is not available: a closed
// standard output is noticed at the next write.
func watchStdout(context.Context, context.CancelCauseFunc, *os.File) {}
