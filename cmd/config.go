package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/configfile"
)

// NewCmdConfig returns `kq config` and its subcommands.
func NewCmdConfig(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show the resolved connection settings and manage profiles",
		Long: `Connection settings come, highest first, from flags, KQ_* environment
variables (KQ_BROKERS, KQ_SASL_PASSWORD, ...), the selected profile of the
config file ($XDG_CONFIG_HOME/kq/config.yaml, --config or KQ_CONFIG), and
defaults. A profile is selected by --profile, KQ_PROFILE or the file's
current-profile key. Example file:

  current-profile: local
  profiles:
    local:
      brokers: 127.0.0.1:9092
    prod:
      brokers: [kafka-1:9093, kafka-2:9093]
      tls: true
      sasl-mechanism: scram-sha-512
      sasl-user: ops
      sasl-password: s3cret      # keep the file chmod 600`,
		Example: "  kq config show\n  kq config profiles\n  kq config use prod",
		Args:    usageArgs(cobra.NoArgs),
	}
	c.AddCommand(newCmdConfigShow(f), newCmdConfigProfiles(f), newCmdConfigUse(f))
	return c
}

// ConfigShowEntry is one resolved setting of `kq config show -o json`.
type ConfigShowEntry struct {
	// Key is the setting's name (also its flag and profile key).
	Key string `json:"key"`
	// Value is the effective value; secrets are redacted.
	Value string `json:"value"`
	// Source is where the value comes from.
	Source string `json:"source"`
	// Env is the environment variable that sets it.
	Env string `json:"env"`
}

func newCmdConfigShow(f *Factory) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "show",
		Short:   "Show every connection setting, its value and where it comes from (secrets redacted)",
		Example: "  kq config show\n  KQ_BROKERS=k1:9092 kq config show -o json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			p, err := f.Printer(output)
			if err != nil {
				return err
			}
			s, err := f.Settings()
			if err != nil {
				return err
			}
			entries, err := configEntries(s)
			if err != nil {
				return err
			}
			if p.Format == "json" {
				return p.JSON(map[string]any{"config_file": s.Path, "profile": s.ProfileName, "settings": entries})
			}
			if err := p.KV([][2]string{{"config file", orDash(s.Path)}, {"profile", orDash(s.ProfileName)}}); err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out)
			rows := make([][]string, len(entries))
			for i, e := range entries {
				rows[i] = []string{e.Key, e.Value, e.Source, e.Env}
			}
			return p.Table([]string{"key", "value", "source", "env"}, rows)
		},
	}
	addOutputFlag(c, &output)
	return c
}

func configEntries(s *Settings) ([]ConfigShowEntry, error) {
	values, err := s.Values()
	if err != nil {
		return nil, err
	}
	out := make([]ConfigShowEntry, 0, len(connKeys))
	for _, cs := range connSettings {
		v := values[cs.key]
		if cs.secret && v != "" {
			v = "<redacted>"
		}
		out = append(out, ConfigShowEntry{Key: cs.key, Value: v, Source: s.Source(cs.key), Env: envName(cs.key)})
	}
	return out, nil
}

func newCmdConfigProfiles(f *Factory) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "profiles",
		Short:   "List the profiles of the config file",
		Example: "  kq config profiles",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			p, err := f.Printer(output)
			if err != nil {
				return err
			}
			s, err := f.Settings()
			if err != nil {
				return err
			}
			if p.Format == "json" {
				return p.JSON(map[string]any{"config_file": s.Path, "current": s.Current, "profiles": nonNil(s.Profiles)})
			}
			rows := make([][]string, len(s.Profiles))
			for i, name := range s.Profiles {
				mark := ""
				if name == s.Current {
					mark = "*"
				}
				rows[i] = []string{mark, name}
			}
			return p.Table([]string{"current", "profile"}, rows)
		},
	}
	addOutputFlag(c, &output)
	return c
}

// nonNil makes an empty list print as [] in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newCmdConfigUse(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "use PROFILE",
		Short: "Make PROFILE the config file's current profile",
		Long: `Sets current-profile in the config file and changes nothing else:
comments, layout and the case of names stay, and a symlinked file is
written through the link. PROFILE matches case-insensitively.`,
		Example: "  kq config use prod",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := f.Settings()
			if err != nil {
				return err
			}
			if s.Path == "" {
				return errors.New("no config file (create $XDG_CONFIG_HOME/kq/config.yaml or pass --config)")
			}
			name, err := configfile.SetCurrentProfile(s.Path, args[0])
			if err != nil {
				return err
			}
			f.Infof("current profile: %s", name)
			return nil
		},
	}
}
