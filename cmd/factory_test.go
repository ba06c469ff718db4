package cmd

import (
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
