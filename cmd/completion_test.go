package cmd

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestCompletionsRegisteredForCompletionRequests runs the hidden commands
// the shell scripts call: the flag and argument completions are only
// registered for them, and must still answer.
func TestCompletionsRegisteredForCompletionRequests(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{cobra.ShellCompRequestCmd, "produce", "T", "--acks", ""}, []string{"0", "1", "all"}},
		{[]string{cobra.ShellCompNoDescRequestCmd, "consume", "--from", ""}, []string{"earliest", "latest"}},
		{[]string{cobra.ShellCompRequestCmd, "consume", "--output", ""}, []string{"text", "json", "raw"}},
		{[]string{cobra.ShellCompRequestCmd, "topics", "list", "--output", ""}, []string{"table", "json"}},
	} {
		code, out, errOut := runKQ(t, nil, tc.args...)
		if code != 0 {
			t.Fatalf("kq %v: exit %d, stderr %q", tc.args, code, errOut)
		}
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			if !slices.Contains(lines, w) {
				t.Errorf("kq %v: %q not offered in %q", tc.args, w, out)
			}
		}
		// ":4" is ShellCompDirectiveNoFileComp: a value flag never falls
		// back to file names.
		if !slices.Contains(lines, ":4") {
			t.Errorf("kq %v: directive not NoFileComp in %q", tc.args, out)
		}
	}
}

// TestIsCompletionRequest: ordinary command lines skip the registration.
func TestIsCompletionRequest(t *testing.T) {
	for args, want := range map[string]bool{
		"__complete produce ": true, "__completeNoDesc consume": true,
		"produce T": false, "version": false, "": false, "help __complete": false,
	} {
		if got := isCompletionRequest(strings.Fields(args)); got != want {
			t.Errorf("isCompletionRequest(%q) = %v, want %v", args, got, want)
		}
	}
}
