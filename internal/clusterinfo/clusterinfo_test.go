package clusterinfo_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/clusterinfo"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestDescribe(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	info, err := clusterinfo.Describe(testutil.Factory(b))
	if err != nil {
		t.Fatal(err)
	}
	if info.ClusterID != "kq" {
		t.Errorf("cluster id = %q, want kq", info.ClusterID)
	}
	if len(info.Brokers) != 3 {
		t.Fatalf("brokers = %v, want 3", info.Brokers)
	}
	addrs := strings.Join(b.Addrs(), ",")
	for _, br := range info.Brokers {
		if !strings.Contains(addrs, br.Address) {
			t.Errorf("broker %d address %s not among %s", br.ID, br.Address, addrs)
		}
	}
	found := false
	for _, a := range info.APIs {
		if a.Name == "Produce" && a.Key == 0 && a.MaxVersion >= 3 {
			found = true
		}
	}
	if !found {
		t.Errorf("Produce v3+ not in APIs: %v", info.APIs)
	}
	if info.Controller < 0 || info.Controller > 2 {
		t.Errorf("controller = %d", info.Controller)
	}
}

func TestDescribeUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // now nothing listens there
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{addr}, Timeout: 2 * time.Second}}
	start := time.Now()
	_, err = clusterinfo.Describe(f)
	if !errors.Is(err, kqerr.ErrUnreachable) {
		t.Fatalf("err = %v, want unreachable", err)
	}
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message %q should name %s and the cause", err, addr)
	}
	if strings.Contains(err.Error(), "kq broker") {
		t.Errorf("hint to start kq broker shown for a non-default address: %q", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v to fail", took)
	}
}
