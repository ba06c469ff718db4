package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
)

// settingFlags are the settings whose flag is not their name with hyphens
// for spaces.
var settingFlags = map[string]string{
	"bootstrap brokers": "-b",
	"topic creation":    "--create",
}

// flagOf spells a setting a library error names as its command-line flag:
// "fault duration" is --fault-duration.
func flagOf(setting string) string {
	if f, ok := settingFlags[setting]; ok {
		return f
	}
	return "--" + strings.ReplaceAll(setting, " ", "-")
}

// errText is err's message as the command line says it: the settings a
// library names (kqerr.SettingError) spelled as their flags.
func errText(err error) string { return kqerr.RenderSettings(err, flagOf) }

// flagOfFor is flagOf for the message of command c: a flag c does not
// have is followed by the commands that have it ("-X retries" on kq
// consume points at "--retries (kq produce, kq verify)").
func flagOfFor(c *cobra.Command) func(setting string) string {
	return func(setting string) string {
		f := flagOf(setting)
		name, long := strings.CutPrefix(f, "--")
		if c == nil || !long || c.Flags().Lookup(name) != nil || c.InheritedFlags().Lookup(name) != nil {
			return f
		}
		if others := commandsWithFlag(c.Root(), name); len(others) > 0 {
			return f + " (" + strings.Join(others, ", ") + ")"
		}
		return f
	}
}

// commandsWithFlag lists the paths of the commands under root that
// define flag name.
func commandsWithFlag(root *cobra.Command, name string) []string {
	var out []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Flags().Lookup(name) != nil {
			out = append(out, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// spellTexts spells the settings of library texts as their flags.
func spellTexts(ts []kqerr.SettingText) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Render(flagOf)
	}
	return out
}
