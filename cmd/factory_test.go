package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
)

// TestTLSInsecureWarns checks that skipping certificate verification,
// from a flag or the environment, is said on stderr (issue 12).
func TestTLSInsecureWarns(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		warn bool
	}{
		"flag":     {args: []string{"--tls-insecure"}, warn: true},
		"env":      {env: map[string]string{"KQ_TLS_INSECURE": "true"}, warn: true},
		"verified": {args: []string{"--tls"}},
	} {
		ios, _, _, errOut := output.Test()
		f := NewFactory(ios, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		root := &cobra.Command{Use: "kq"}
		addGlobalFlags(root, f)
		f.flags = root.PersistentFlags()
		if err := root.PersistentFlags().Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Conn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := strings.Contains(errOut.String(), "warning: --tls-insecure"); got != tc.warn {
			t.Errorf("%s: warned = %v, want %v (stderr %q)", name, got, tc.warn, errOut.String())
		}
	}
}

// TestSettingsResolvedOnce: one invocation resolves its settings once, so
// a warning about them is given once however often a command asks.
func TestSettingsResolvedOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("current-profile: p\nprofiles:\n  p:\n    brokers: 127.0.0.1:1\n    sasl-mechanism: plain\n    sasl-user: u\n    sasl-password: s3cret\n    tls-insecure: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, _, errOut := output.Test()
	f := NewFactory(ios, func(k string) (string, bool) {
		if k == "KQ_CONFIG" {
			return path, true
		}
		return "", false
	})
	root := &cobra.Command{Use: "kq"}
	addGlobalFlags(root, f)
	f.flags = root.PersistentFlags()
	for range 3 {
		if _, err := f.Settings(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Conn(); err != nil {
			t.Fatal(err)
		}
	}
	for _, warning := range []string{"readable by group or others", "warning: --tls-insecure"} {
		if n := strings.Count(errOut.String(), warning); n != 1 {
			t.Errorf("%q given %d times, want once (stderr %q)", warning, n, errOut.String())
		}
	}
}
