package cmd

import (
	"bufio"
	"bytes"
	"os"
	"strings"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
)

// brokerUsersEnv holds SASL users for `kq broker`, as
// user:password[,user:password...], so no password shows in ps.
const brokerUsersEnv = "KQ_BROKER_SASL_USERS"

// brokerUsers gathers the SASL users of `kq broker` from --sasl-user,
// --sasl-users-file (one user:password per line; blank lines and # comments
// skipped) and KQ_BROKER_SASL_USERS.
func (o *BrokerOptions) brokerUsers() ([]broker.User, error) {
	specs := append([]string(nil), o.Users...)
	if v, ok := o.f.LookupEnv(brokerUsersEnv); ok && v != "" {
		specs = append(specs, strings.Split(v, ",")...)
	}
	if o.UsersFile != "" {
		lines, err := readUsersFile(o.UsersFile)
		if err != nil {
			return nil, err
		}
		specs = append(specs, lines...)
	}
	var users []broker.User
	for _, u := range specs {
		name, pass, ok := strings.Cut(u, ":")
		if !ok || name == "" || pass == "" {
			return nil, kqerr.Usagef("SASL user %q: want user:password", redactPassword(u))
		}
		users = append(users, broker.User{Name: name, Password: pass})
	}
	return users, nil
}

// readUsersFile reads user:password lines.
func readUsersFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, kqerr.Usagef("--sasl-users-file: %v", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}

// redactPassword hides what follows the first colon of a user spec.
func redactPassword(spec string) string {
	if name, _, ok := strings.Cut(spec, ":"); ok {
		return name + ":***"
	}
	return spec
}
