package cmd

import (
	"strings"

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

// spellTexts spells the settings of library texts as their flags.
func spellTexts(ts []kqerr.SettingText) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Render(flagOf)
	}
	return out
}
