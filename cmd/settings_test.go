package cmd

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestSettingsLayers checks every layer in process: defaults, profile,
// environment (read only through the injected lookup), flags.
func TestSettingsLayers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("current-profile: p\nprofiles:\n  p:\n    brokers: [a:1, b:2]\n    client-id: from-profile\n    timeout: 7s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KQ_CONFIG": cfg, "KQ_CLIENT_ID": "from-env", "KQ_KAFKA_VERSION": "3.6.0", "KQ_TLS": ""}
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
