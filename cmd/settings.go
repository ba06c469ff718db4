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

// connSetting is one connection setting: a persistent flag of the same
// name, a key of the same name in a config-file profile, and a KQ_
// variable (the key upper-cased, dashes as underscores).
type connSetting struct {
	key, short, usage string
	kind              settingKind
	// secret marks a value that is never printed.
	secret bool
}

// settingKind is the flag type of a connection setting.
type settingKind int

const (
	textSetting settingKind = iota
	boolSetting
	durationSetting
)

// connSettings are the connection settings, in the order `kq config show`
// lists them. The token-based SASL settings (settings_auth.go) and the
// Schema Registry settings (settings_registry.go) are among them.
var connSettings = []connSetting{
	{key: "brokers", short: "b", usage: "bootstrap brokers, comma-separated host:port (default 127.0.0.1:9092; env KQ_BROKERS)"},
	{key: "client-id", usage: "client id sent to the brokers (default \"kq\")"},
	{key: "kafka-version", usage: "Kafka protocol version to speak (default 2.8.0; requests are clamped to what brokers support)"},
	{key: "timeout", kind: durationSetting, usage: "dial and request timeout (default 10s)"},
	{key: "tls", kind: boolSetting, usage: "connect with TLS"},
	{key: "tls-ca", usage: "PEM file of CAs to trust"},
	{key: "tls-cert", usage: "PEM client certificate"},
	{key: "tls-key", usage: "PEM client key"},
	{key: "tls-insecure", kind: boolSetting, usage: "do not verify the server certificate (warns on stderr)"},
	{key: "sasl-mechanism", usage: "SASL mechanism: plain, scram-sha-256, scram-sha-512, oauthbearer or aws-msk-iam"},
	{key: "sasl-user", usage: "SASL user"},
	{key: "sasl-password", secret: true, usage: "SASL password (better: KQ_SASL_PASSWORD, or the prompt on a terminal)"},
	{key: "schema-registry", usage: "Schema Registry URL: consume decodes and produce encodes Confluent wire format (env KQ_SCHEMA_REGISTRY)"},
	{key: "schema-registry-user", usage: "Schema Registry basic-auth user"},
	{key: "schema-registry-password", secret: true, usage: "Schema Registry basic-auth password (better: KQ_SCHEMA_REGISTRY_PASSWORD)"},
	{key: "schema-registry-ca", usage: "PEM file of CAs to trust for an https Schema Registry"},
	{key: "schema-registry-cert", usage: "PEM client certificate for the Schema Registry"},
	{key: "schema-registry-key", usage: "PEM client key for the Schema Registry"},
	{key: "schema-registry-insecure", kind: boolSetting, usage: "do not verify the Schema Registry's certificate"},
	{key: "sasl-token", secret: true, usage: "static OAUTHBEARER token (--sasl-mechanism oauthbearer; better: KQ_SASL_TOKEN)"},
	{key: "sasl-oauth-token-url", usage: "OIDC token endpoint for OAUTHBEARER client credentials"},
	{key: "sasl-oauth-client-id", usage: "OIDC client id for OAUTHBEARER"},
	{key: "sasl-oauth-client-secret", secret: true, usage: "OIDC client secret (better: KQ_SASL_OAUTH_CLIENT_SECRET)"},
	{key: "sasl-oauth-scope", usage: "OIDC scopes, comma- or space-separated"},
	{key: "aws-region", usage: "AWS region of an MSK cluster (--sasl-mechanism aws-msk-iam; default AWS_REGION)"},
}

// connKeys are the keys of connSettings, in their order.
var connKeys = func() []string {
	keys := make([]string, len(connSettings))
	for i, cs := range connSettings {
		keys[i] = cs.key
	}
	return keys
}()

// addConnFlags adds a persistent flag for every connection setting.
func addConnFlags(pf *pflag.FlagSet) {
	for _, cs := range connSettings {
		switch cs.kind {
		case boolSetting:
			pf.BoolP(cs.key, cs.short, false, cs.usage)
		case durationSetting:
			pf.DurationP(cs.key, cs.short, 0, cs.usage)
		default:
			pf.StringP(cs.key, cs.short, "", cs.usage)
		}
	}
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
