package cmd

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
)

// TestEveryCommandHasExamples walks the command tree: every command a user
// can run (or a parent they can ask for help) shows examples in -h.
func TestEveryCommandHasExamples(t *testing.T) {
	io, _, _, _ := output.Test()
	root := NewCmdRoot(NewFactory(io, func(string) (string, bool) { return "", false }))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() != "help" && !c.Hidden && c.Example == "" {
			t.Errorf("%q has no examples", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
