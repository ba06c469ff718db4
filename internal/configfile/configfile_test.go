package configfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sample = `# kq config: keep this comment
current-profile: local   # the default

profiles:
  local:
    brokers: 127.0.0.1:9092
  Prod-EU:   # production
    brokers: [kafka-1:9093, kafka-2:9093]
    tls: true
`

func write(t *testing.T, dir, name, data string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSetCurrentProfileChangesOnlyTheValue(t *testing.T) {
	p := write(t, t.TempDir(), "config.yaml", sample, 0o600)
	got, err := SetCurrentProfile(p, "prod-eu")
	if err != nil || got != "Prod-EU" {
		t.Fatalf("SetCurrentProfile = %q, %v", got, err)
	}
	b, _ := os.ReadFile(p)
	// Only the value changes: the comments and the rest stay as written.
	want := strings.Replace(sample, "current-profile: local ", "current-profile: Prod-EU ", 1)
	if want == sample {
		t.Fatal("the sample has no current-profile line to change")
	}
	if string(b) != want {
		t.Errorf("file =\n%s\nwant\n%s", b, want)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
}

func TestSetCurrentProfileThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := write(t, dir, "real.yaml", sample, 0o640)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := SetCurrentProfile(link, "LOCAL"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v, %v", fi, err)
	}
	b, _ := os.ReadFile(target)
	if string(b) != sample { // local was current already: same bytes
		t.Errorf("target =\n%s", b)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", st.Mode().Perm())
	}
}

func TestSetCurrentProfileAddsTheKeyAndQuotes(t *testing.T) {
	for _, tc := range []struct{ in, name, want string }{
		{"# head\nprofiles:\n  a b: {}\n", "A B", "# head\ncurrent-profile: \"a b\"\nprofiles:\n  a b: {}\n"},
		{"current-profile: 'x''y'\nprofiles:\n  z: {}\n", "z", "current-profile: z\nprofiles:\n  z: {}\n"},
		{"current-profile: \"q\" # c\nprofiles:\n  r: {}\n", "R", "current-profile: r # c\nprofiles:\n  r: {}\n"},
	} {
		p := write(t, t.TempDir(), "c.yaml", tc.in, 0o600)
		if _, err := SetCurrentProfile(p, tc.name); err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if b, _ := os.ReadFile(p); string(b) != tc.want {
			t.Errorf("%q → %q, want %q", tc.in, b, tc.want)
		}
	}
}

func TestSetCurrentProfileErrors(t *testing.T) {
	p := write(t, t.TempDir(), "c.yaml", sample, 0o600)
	if _, err := SetCurrentProfile(p, "nope"); err == nil {
		t.Error("unknown profile accepted")
	}
	f := write(t, t.TempDir(), "f.yaml", "{current-profile: a, profiles: {a: {}, b: {}}}\n", 0o600)
	if _, err := SetCurrentProfile(f, "b"); err == nil {
		t.Error("flow-style file edited")
	}
}

func TestProfileNamesKeepCase(t *testing.T) {
	p := write(t, t.TempDir(), "c.yaml", sample, 0o600)
	names, err := ProfileNames(p)
	if err != nil || !reflect.DeepEqual(names, []string{"Prod-EU", "local"}) {
		t.Errorf("ProfileNames = %v, %v", names, err)
	}
}
