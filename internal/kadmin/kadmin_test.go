package kadmin_test

import (
	"context"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kadmin"
)

// The kadm client authenticates as the sarama clients do: SCRAM users and
// OAUTHBEARER tokens from the same profile.
func TestSASLFromTheProfile(t *testing.T) {
	b, err := broker.Start(broker.Options{Nodes: 1, Users: []broker.User{{Name: "alice", Password: "pw"}},
		TokenValidator: broker.StaticTokens("tok")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	for _, c := range []struct {
		name string
		sasl conn.SASL
		ok   bool
	}{
		{"scram", conn.SASL{Mechanism: "scram-sha-512", User: "alice", Password: "pw"}, true},
		{"plain", conn.SASL{Mechanism: "plain", User: "alice", Password: "pw"}, true},
		{"oauthbearer", conn.SASL{Mechanism: "oauthbearer", Token: "tok"}, true},
		{"wrong token", conn.SASL{Mechanism: "oauthbearer", Token: "nope"}, false},
		{"wrong password", conn.SASL{Mechanism: "scram-sha-256", User: "alice", Password: "x"}, false},
	} {
		cl, closeFn, err := kadmin.New(conn.Profile{Brokers: conn.SplitBrokers(b.Bootstrap()), Timeout: 3 * time.Second, SASL: c.sasl})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cl.ListTopics(ctx)
		cancel()
		closeFn()
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok %v", c.name, err, c.ok)
		}
	}
}
