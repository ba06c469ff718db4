package cmd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// TestSettingsLayers checks every layer in process: defaults, profile,
// environment (read only through the injected lookup), flags.
func TestSettingsLayers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("current-profile: p\nprofiles:\n  p:\n    brokers: [a:1, b:2]\n    client-id: from-profile\n    timeout: 7s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KQ_CONFIG": cfg, "KQ_CLIENT_ID": "from-env", "KQ_KAFKA_VERSION": "3.6.0", "KQ_TLS": "", "KQ_SASL_MECHANISM": "plain"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	root := &cobra.Command{Use: "kq"}
	f := NewFactory(nil, lookup)
	addGlobalFlags(root, f)
	if err := root.PersistentFlags().Parse([]string{"--sasl-user", "flag-user", "--kafka-version", "3.7.0"}); err != nil {
		t.Fatal(err)
	}
	s, err := resolveSettings(root.PersistentFlags(), lookup, "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.build()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ key, got, want, source string }{
		{"brokers", p.Brokers[0] + "," + p.Brokers[1], "a:1,b:2", "profile p"},
		{"client-id", p.ClientID, "from-env", "env KQ_CLIENT_ID"},
		{"kafka-version", p.KafkaVersion, "3.7.0", "flag --kafka-version"},
		{"sasl-user", p.SASL.User, "flag-user", "flag --sasl-user"},
		{"timeout", p.Timeout.String(), (7 * time.Second).String(), "profile p"},
		{"tls", "", "", "default"}, // empty variable counts as unset
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.key, c.got, c.want)
		}
		if src := s.Source(c.key); src != c.source {
			t.Errorf("%s source = %q, want %q", c.key, src, c.source)
		}
	}
}

// settingsFor resolves settings from a config file body, an environment
// and flags, as kq does at start-up; warnings go to errOut.
func settingsFor(t *testing.T, file string, env map[string]string, args ...string) (*Settings, *bytes.Buffer, error) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env["KQ_CONFIG"] = cfg
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	root := &cobra.Command{Use: "kq"}
	errOut := &bytes.Buffer{}
	f := NewFactory(&output.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: errOut}, lookup)
	addGlobalFlags(root, f)
	if err := root.PersistentFlags().Parse(args); err != nil {
		t.Fatal(err)
	}
	s, err := resolveSettings(root.PersistentFlags(), lookup, "", "", f.IO)
	return s, errOut, err
}

// TestSettingsValidation checks that environment and profile values get the
// checks flags get, and that errors name where the bad value came from.
func TestSettingsValidation(t *testing.T) {
	const prof = "current-profile: p\nprofiles:\n  p:\n"
	for _, c := range []struct {
		name, file string
		env        map[string]string
		args       []string
		want       string // "" for no error
	}{
		{"env bool", "", map[string]string{"KQ_TLS": "yes"}, nil, `KQ_TLS: invalid boolean "yes" (want true or false)`},
		{"env bool ok", "", map[string]string{"KQ_TLS": "TRUE"}, nil, ""},
		{"env duration without unit", "", map[string]string{"KQ_TIMEOUT": "5"}, nil, `KQ_TIMEOUT: invalid duration "5" (want a number with a unit, such as 10s or 500ms)`},
		{"env duration ok", "", map[string]string{"KQ_TIMEOUT": "5s"}, nil, ""},
		{"profile duration without unit", prof + "    timeout: 5\n", map[string]string{}, nil, `timeout in profile p of `},
		{"profile bool", prof + "    tls-insecure: maybe\n", map[string]string{}, nil, `tls-insecure in profile p of `},
		{"profile yaml bool", prof + "    tls: true\n", map[string]string{}, nil, ""},
		{"empty flag", "", map[string]string{}, []string{"-b", ""}, `--brokers: no broker address given (an unset variable?); leave it out to use 127.0.0.1:9092`},
		{"blank flag", "", map[string]string{}, []string{"-b", " , "}, `--brokers: no broker address given`},
		{"empty env is unset", "", map[string]string{"KQ_BROKERS": ""}, nil, ""},
		{"port out of range", "", map[string]string{}, []string{"-b", "localhost:99999"}, `--brokers: broker address "localhost:99999": port "99999" is not a number from 1 to 65535`},
		{"url", "", map[string]string{"KQ_BROKERS": "http://host:9092"}, nil, `KQ_BROKERS: broker address "http://host:9092" has a URL scheme: want host:port, without http://`},
		{"no port", "", map[string]string{}, []string{"-b", "a:1,nohostport"}, `--brokers: broker address "nohostport" is not host:port`},
		{"no host", "", map[string]string{}, []string{"-b", ":9092"}, `has no host`},
		{"user without mechanism", "", map[string]string{}, []string{"--sasl-user", "u"}, `--sasl-user is set but no SASL mechanism: add --sasl-mechanism plain, scram-sha-256 or scram-sha-512`},
		{"env mechanism", "", map[string]string{"KQ_SASL_MECHANISM": "gssapi", "KQ_SASL_USER": "u"}, nil, `KQ_SASL_MECHANISM: unknown SASL mechanism "gssapi"`},
		{"env version", "", map[string]string{"KQ_KAFKA_VERSION": "latest"}, nil, `KQ_KAFKA_VERSION: invalid Kafka version "latest"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _, err := settingsFor(t, c.file, c.env, c.args...)
			if err == nil {
				_, err = s.build()
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.want == "":
			case err == nil:
				t.Fatalf("no error, want %q", c.want)
			case !strings.Contains(err.Error(), c.want) || !errors.Is(err, kqerr.ErrUsage):
				t.Fatalf("error %q, want a usage error containing %q", err, c.want)
			}
		})
	}
}

func TestUnknownProfileKeysWarned(t *testing.T) {
	_, errOut, err := settingsFor(t, "current-profile: p\nprofiles:\n  p:\n    brokers: a:1\n    timout: 5s\n", map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if got := errOut.String(); !strings.Contains(got, `warning: `) || !strings.Contains(got, `profile p has an unknown key "timout"`) {
		t.Fatalf("stderr %q", got)
	}
	_, errOut, _ = settingsFor(t, "current-profile: p\nprofiles:\n  p:\n    brokers: a:1\n", map[string]string{})
	if errOut.Len() != 0 {
		t.Fatalf("warning for known keys: %q", errOut)
	}
}
