package fetch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/testutil"
)

// readAll reads topic t/0 from offset 0 until it has n records or the
// reader fails.
func readAll(t *testing.T, client sarama.Client, n int) ([]string, error) {
	t.Helper()
	r := fetch.NewReader(client, fetch.ReaderConfig{Topic: "t", Partition: 0, Isolation: sarama.ReadCommitted,
		MaxWait: 50 * time.Millisecond, MaxBytes: 64, ReuseBuffer: true})
	defer r.Close()
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		if err := r.Next(func(rec *fetch.Record) { got = append(got, string(rec.Key)+"="+string(rec.Value)) }); err != nil {
			return got, err
		}
	}
	return got, nil
}

func produce(t *testing.T, f conn.Factory, n int) {
	t.Helper()
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = testutil.Msg("t", 0, fmt.Sprint("k", i), fmt.Sprint("v", i))
	}
	testutil.Produce(t, f, msgs...)
}

// The reader's own connection speaks what the profile asks for: SASL
// (SCRAM, PLAIN, OAUTHBEARER) and TLS, and reads nothing with a wrong
// password (the built-in broker closes the connection).
// MaxBytes 64 makes it grow its fetch size past a batch larger than that.
func TestReaderConnection(t *testing.T) {
	srv, ca := testutil.SelfSigned(t)
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, Users: []broker.User{{Name: "alice", Password: "pw"}},
		TokenValidator: broker.StaticTokens("tok"), TLS: srv, SeedTopics: map[string]int32{"t": 1}})
	good := conn.Profile{Brokers: b.Addrs(), Timeout: 5 * time.Second, TLS: conn.TLS{CAFile: ca},
		SASL: conn.SASL{Mechanism: "scram-sha-512", User: "alice", Password: "pw"}}
	produce(t, conn.Factory{Profile: good}, 5)
	for _, c := range []struct {
		name string
		sasl conn.SASL
		ok   bool
	}{
		{"scram-256", conn.SASL{Mechanism: "scram-sha-256", User: "alice", Password: "pw"}, true},
		{"scram-512", good.SASL, true},
		{"plain", conn.SASL{Mechanism: "plain", User: "alice", Password: "pw"}, true},
		{"oauthbearer", conn.SASL{Mechanism: "oauthbearer", Token: "tok"}, true},
		{"wrong password", conn.SASL{Mechanism: "scram-sha-256", User: "alice", Password: "x"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := good
			if c.ok {
				p.SASL = c.sasl
			}
			client, err := conn.Factory{Profile: p}.Client()
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			if !c.ok {
				client.Config().Net.SASL.Password = c.sasl.Password
			}
			got, err := readAll(t, client, 5)
			switch {
			case c.ok && (err != nil || len(got) != 5 || got[0] != "k0=v0" || got[4] != "k4=v4"):
				t.Errorf("got %v, %v", got, err)
			case !c.ok && (err == nil || len(got) > 0):
				t.Errorf("got %v, %v; want no records and an error", got, err)
			}
		})
	}
}
