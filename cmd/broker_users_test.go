package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// TestBrokerUsersFromFileAndEnv checks the ways to give `kq broker` SASL
// users without a password on its command line (issue 12).
func TestBrokerUsersFromFileAndEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(file, []byte("# CI users\nalice:s3cret\n\n  bob:pa:ss  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := output.Test()
	env := map[string]string{brokerUsersEnv: "carol:c1,dave:d2"}
	f := NewFactory(ios, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	o := &BrokerOptions{f: f, Nodes: 1, Partitions: 1, Users: []string{"eve:e3"}, UsersFile: file}
	bo, err := o.brokerOptions()
	if err != nil {
		t.Fatal(err)
	}
	want := []broker.User{{Name: "eve", Password: "e3"}, {Name: "carol", Password: "c1"}, {Name: "dave", Password: "d2"},
		{Name: "alice", Password: "s3cret"}, {Name: "bob", Password: "pa:ss"}}
	if len(bo.Users) != len(want) {
		t.Fatalf("users = %+v", bo.Users)
	}
	for i := range want {
		if bo.Users[i] != want[i] {
			t.Errorf("user %d = %+v, want %+v", i, bo.Users[i], want[i])
		}
	}
	env[brokerUsersEnv] = "frank"
	o.UsersFile = ""
	if _, err := o.brokerOptions(); !kqerrIsUsage(err) {
		t.Fatalf("a user without password: err = %v, want a usage error", err)
	}
	env[brokerUsersEnv] = "gina:topsecret,"
	_, err = o.brokerOptions()
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("err = %v: want an error that does not show the password", err)
	}
	o.UsersFile = filepath.Join(t.TempDir(), "missing")
	if _, err := o.brokerOptions(); !kqerrIsUsage(err) {
		t.Fatalf("missing file: err = %v", err)
	}
}

func kqerrIsUsage(err error) bool { return err != nil && kqerr.Code(err) == kqerr.CodeUsage }
