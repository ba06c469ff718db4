package broker_test

import (
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestTLS(t *testing.T) {
	srv, ca := testutil.SelfSigned(t)
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, TLS: srv})
	f := conn.Factory{Profile: conn.Profile{Brokers: b.Addrs(), Timeout: 3 * time.Second, TLS: conn.TLS{CAFile: ca}}}
	c, err := f.Client()
	if err != nil {
		t.Fatalf("TLS client with the CA: %v", err)
	}
	c.Close()
	f.Profile.TLS = conn.TLS{Enabled: true} // system roots do not trust the test CA
	if c, err := f.Client(); err == nil {
		c.Close()
		t.Fatal("TLS client without the CA connected")
	}
}
