package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"golang.org/x/term"

	"github.com/kq-dev/kq/internal/configfile"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// connKeys are the connection settings: each is a flag of the same name, a
// key of the same name in a config-file profile, and a KQ_ variable (the
// key upper-cased, dashes as underscores).
var connKeys = []string{
	"brokers", "client-id", "kafka-version", "timeout",
	"tls", "tls-ca", "tls-cert", "tls-key", "tls-insecure",
	"sasl-mechanism", "sasl-user", "sasl-password",
	"schema-registry", "schema-registry-user", "schema-registry-password",
	"schema-registry-ca", "schema-registry-cert", "schema-registry-key", "schema-registry-insecure",
	"sasl-token", "sasl-oauth-token-url", "sasl-oauth-client-id", "sasl-oauth-client-secret",
	"sasl-oauth-scope", "aws-region",
}

// secretKeys are never printed.
var secretKeys = map[string]bool{
	"sasl-password": true, "schema-registry-password": true, "sasl-token": true, "sasl-oauth-client-secret": true,
}

// envName returns the KQ_ variable of a key.
func envName(key string) string {
	return "KQ_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// Settings are the resolved configuration layers of one invocation.
type Settings struct {
	// Path is the config file consulted ("" if none exists).
	Path string
	// ProfileName is the profile in use ("" for none).
	ProfileName string
	// Profiles lists the profile names in the config file.
	Profiles []string
	// Current is the file's current-profile.
	Current string

	v       *viper.Viper
	flags   *pflag.FlagSet
	env     func(string) (string, bool)
	profile map[string]any
}

// resolveSettings loads the config file and stacks the layers: flags >
// environment > profile > defaults.
func resolveSettings(flags *pflag.FlagSet, env func(string) (string, bool), configFlag, profileFlag string, io *output.IOStreams) (*Settings, error) {
	s := &Settings{flags: flags, env: env}
	path, explicit := configPath(configFlag, env)
	file := viper.New()
	file.SetConfigType("yaml")
	if path != "" {
		file.SetConfigFile(path)
		if err := file.ReadInConfig(); err != nil {
			if !explicit && errors.Is(err, fs.ErrNotExist) {
				path = ""
			} else if !explicit && os.IsNotExist(errors.Unwrap(err)) {
				path = ""
			} else {
				return nil, fmt.Errorf("read config %s: %w", path, err)
			}
		}
	}
	s.Path = path
	s.Current = file.GetString("current-profile")
	profiles := file.GetStringMap("profiles")
	for name := range profiles {
		s.Profiles = append(s.Profiles, name)
	}
	sort.Strings(s.Profiles)
	if names, err := configfile.ProfileNames(path); path != "" && err == nil && len(names) == len(s.Profiles) {
		s.Profiles = names // as written: viper lower-cases keys
	}
	if err := s.pickProfile(profileFlag, profiles); err != nil {
		return nil, err
	}
	if path != "" && io != nil {
		warnReadableSecret(path, profiles, io)
	}
	s.warnUnknownKeys(io)
	s.v = viper.New()
	if err := s.v.MergeConfigMap(s.profile); err != nil {
		return nil, fmt.Errorf("profile %s: %w", s.ProfileName, err)
	}
	// Layer the environment (read through env, so tests can inject it)
	// and then set flags over the profile. Empty variables count as unset.
	for _, k := range connKeys {
		if v, ok := env(envName(k)); ok && v != "" {
			s.v.Set(k, v)
		}
		if flags != nil {
			if fl := flags.Lookup(k); fl != nil && fl.Changed {
				s.v.Set(k, fl.Value.String())
			}
		}
	}
	return s, nil
}

func (s *Settings) pickProfile(profileFlag string, profiles map[string]any) error {
	name := profileFlag
	if name == "" {
		name, _ = s.env("KQ_PROFILE")
	}
	explicit := name != ""
	if name == "" {
		name = s.Current
	}
	if name == "" {
		return nil
	}
	raw, ok := profiles[strings.ToLower(name)]
	if !ok {
		if !explicit && s.Current != "" {
			return fmt.Errorf("current-profile %q is not in %s", name, s.Path)
		}
		return fmt.Errorf("unknown profile %q (profiles: %s)", name, strings.Join(s.Profiles, ", "))
	}
	m, err := cast.ToStringMapE(raw)
	if err != nil {
		return kqerr.Usagef("profile %q is not a map of settings", name)
	}
	s.ProfileName, s.profile = name, m
	return nil
}

// configPath returns the config file to read and whether the user named it.
func configPath(flag string, env func(string) (string, bool)) (string, bool) {
	if flag != "" {
		return flag, true
	}
	if p, ok := env("KQ_CONFIG"); ok && p != "" {
		return p, true
	}
	dir, ok := env("XDG_CONFIG_HOME")
	if !ok || dir == "" {
		home, ok := env("HOME")
		if !ok || home == "" {
			return "", false
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "kq", "config.yaml"), false
}

// warnReadableSecret warns when a file holding a password can be read by
// group or others.
func warnReadableSecret(path string, profiles map[string]any, io *output.IOStreams) {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return
	}
	for _, raw := range profiles {
		if m, err := cast.ToStringMapE(raw); err == nil {
			if holdsSecret(m) {
				fmt.Fprintf(io.ErrOut, "warning: %s holds a password and is readable by group or others (chmod 600 %s)\n", path, path)
				return
			}
		}
	}
}

// Source tells where a key's value comes from: "flag", "env KQ_X",
// "profile NAME" or "default".
func (s *Settings) Source(key string) string {
	switch s.layer(key) {
	case layerFlag:
		return "flag --" + key
	case layerEnv:
		return "env " + envName(key)
	case layerProfile:
		return "profile " + s.ProfileName
	}
	return "default"
}

// Configured reports whether key was set, by a flag, the environment or
// the profile, rather than left at its default.
func (s *Settings) Configured(key string) bool { return s.layer(key) != layerDefault }

// layer is where a setting's value comes from, lowest precedence first.
type layer int

const (
	layerDefault layer = iota
	layerProfile
	layerEnv
	layerFlag
)

// layer returns the layer key's value comes from.
func (s *Settings) layer(key string) layer {
	if s.flags != nil {
		if fl := s.flags.Lookup(key); fl != nil && fl.Changed {
			return layerFlag
		}
	}
	if v, ok := s.env(envName(key)); ok && v != "" {
		return layerEnv
	}
	if _, ok := s.profile[key]; ok {
		return layerProfile
	}
	return layerDefault
}

// Profile builds the connection profile from the layers. When a SASL user
// has no password and stdin is a terminal, it prompts for one.
func (s *Settings) Profile(io *output.IOStreams) (conn.Profile, error) {
	p, err := s.build()
	if err != nil {
		return conn.Profile{}, err
	}
	if p.SASL.User != "" && p.SASL.Password == "" && io != nil && io.IsStdinTTY() {
		pw, err := promptPassword(io, p.SASL.User)
		if err != nil {
			return conn.Profile{}, err
		}
		p.SASL.Password = pw
	}
	return p, p.Validate()
}

// build stacks the layers into a profile with defaults filled in, without
// validating it.
func (s *Settings) build() (conn.Profile, error) {
	timeout, err := s.duration("timeout")
	if err != nil {
		return conn.Profile{}, err
	}
	brokers, err := s.brokerList()
	if err != nil {
		return conn.Profile{}, err
	}
	tlsOn, err := s.boolean("tls")
	if err != nil {
		return conn.Profile{}, err
	}
	insecure, err := s.boolean("tls-insecure")
	if err != nil {
		return conn.Profile{}, err
	}
	p := conn.Profile{
		Brokers:      brokers,
		ClientID:     s.v.GetString("client-id"),
		KafkaVersion: s.v.GetString("kafka-version"),
		Timeout:      timeout,
		TLS: conn.TLS{
			Enabled:  tlsOn,
			CAFile:   s.v.GetString("tls-ca"),
			CertFile: s.v.GetString("tls-cert"),
			KeyFile:  s.v.GetString("tls-key"),
			Insecure: insecure,
		},
		SASL: conn.SASL{
			Mechanism: s.v.GetString("sasl-mechanism"),
			User:      s.v.GetString("sasl-user"),
			Password:  s.v.GetString("sasl-password"),
		},
	}
	s.applyAuth(&p)
	if err := s.checkEnums(p); err != nil {
		return conn.Profile{}, err
	}
	return p.WithDefaults(), nil
}

// Values returns every key's effective value as text (defaults included,
// secrets as they are: callers redact).
func (s *Settings) Values() (map[string]string, error) {
	p, err := s.build()
	if err != nil {
		return nil, err
	}
	b := strconv.FormatBool
	vals := map[string]string{
		"brokers": strings.Join(p.Brokers, ","), "client-id": p.ClientID,
		"kafka-version": p.KafkaVersion, "timeout": p.Timeout.String(),
		"tls": b(p.TLS.Enabled), "tls-ca": p.TLS.CAFile, "tls-cert": p.TLS.CertFile,
		"tls-key": p.TLS.KeyFile, "tls-insecure": b(p.TLS.Insecure),
		"sasl-mechanism": p.SASL.Mechanism, "sasl-user": p.SASL.User, "sasl-password": p.SASL.Password,
	}
	for k, v := range s.registryValues() {
		vals[k] = v
	}
	for k, v := range s.authValues(p) {
		vals[k] = v
	}
	return vals, nil
}

func promptPassword(io *output.IOStreams, user string) (string, error) {
	f, ok := io.In.(*os.File)
	if !ok {
		return "", nil
	}
	fmt.Fprintf(io.ErrOut, "SASL password for %s: ", user)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(io.ErrOut)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(pw), nil
}
