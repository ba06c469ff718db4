package cmd

import (
	"fmt"
	"strings"

	"github.com/kq-dev/kq/verify"
)

// progressLine is the run's status line, for output.Progress.
func progressLine(s verify.Snapshot) string {
	line := fmt.Sprintf("verify %-8s %5.1fs  sent %d  acked %d  indeterminate %d  delivered %d",
		s.Phase, s.Elapsed.Seconds(), s.Sent, s.Acked, s.Indeterminate, s.Delivered)
	if s.Copied > 0 {
		line += fmt.Sprintf("  copied %d", s.Copied)
	}
	if s.Crashes > 0 {
		line += fmt.Sprintf("  crashes %d", s.Crashes)
	}
	if len(s.Faults) > 0 {
		line += "  faults: " + strings.Join(s.Faults, " ")
	}
	return line
}
