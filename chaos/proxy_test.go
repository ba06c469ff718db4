package chaos_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/internal/wire"
)

func startProxy(t *testing.T, b *broker.Broker, e *chaos.Engine) *chaos.Proxy {
	t.Helper()
	p, err := chaos.StartProxy(chaos.ProxyOptions{Upstreams: b.Addrs(), Engine: e, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// proxyFactory is a client factory bootstrapping from the proxy only.
func proxyFactory(p *chaos.Proxy) conn.Factory {
	return conn.Factory{
		Profile: conn.Profile{Brokers: []string{p.Bootstrap()}, Timeout: 5 * time.Second},
		Tweak: func(c *sarama.Config) {
			c.Version = sarama.V2_8_0_0
			c.Metadata.Retry.Backoff = 50 * time.Millisecond
			c.Producer.Retry.Backoff = 50 * time.Millisecond
		},
	}
}

func TestProxyCarriesSaramaAndHidesUpstream(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"orders": 3}})
	p := startProxy(t, b, nil)
	f := proxyFactory(p)
	prod, err := f.SyncProducer()
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	for i := range 9 {
		if _, _, err := prod.SendMessage(&sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder(fmt.Sprint(i))}); err != nil {
			t.Fatalf("produce %d through the proxy: %v", i, err)
		}
	}
	client, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.RefreshMetadata("orders"); err != nil {
		t.Fatal(err)
	}
	var local []string
	for _, pb := range p.Brokers() {
		local = append(local, pb.Local)
	}
	if len(local) != 3 {
		t.Fatalf("proxy knows %d brokers, want 3: %+v", len(local), p.Brokers())
	}
	for _, br := range client.Brokers() {
		if !slices.Contains(local, br.Addr()) || slices.Contains(b.Addrs(), br.Addr()) {
			t.Fatalf("client sees broker %d at %s; proxy ports are %v", br.ID(), br.Addr(), local)
		}
	}
	coord, err := client.Coordinator("billing")
	if err != nil || !slices.Contains(local, coord.Addr()) {
		t.Fatalf("coordinator at %v (%v), want a proxy address", coord, err)
	}
	consumeThroughProxy(t, f, 9)
}

// consumeThroughProxy reads want records from all partitions of orders.
func consumeThroughProxy(t *testing.T, f conn.Factory, want int) {
	t.Helper()
	c, err := f.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := make(chan *sarama.ConsumerMessage, want)
	for part := range int32(3) {
		pc, err := c.ConsumePartition("orders", part, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				msgs <- m
			}
		}()
	}
	timeout := time.After(10 * time.Second)
	for got := 0; got < want; got++ {
		select {
		case <-msgs:
		case <-timeout:
			t.Fatalf("consumed %d of %d records through the proxy", got, want)
		}
	}
}

// rawRequest sends one kmsg request to addr and decodes the response.
func rawRequest(t *testing.T, addr string, req kmsg.Request) kmsg.Response {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(kmsg.NewRequestFormatter().AppendRequest(nil, req, 1)); err != nil {
		t.Fatal(err)
	}
	frame, err := wire.ReadFrame(c, wire.MaxFrameSize)
	if err != nil {
		t.Fatal(err)
	}
	h, err := wire.ParseResponseHeader(frame, req.Key(), req.GetVersion())
	if err != nil || binary.BigEndian.Uint32(frame) != 1 {
		t.Fatalf("response header: %v", err)
	}
	resp := req.ResponseKind()
	resp.SetVersion(req.GetVersion())
	if err := resp.ReadFrom(frame[h.BodyOffset:]); err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestProxyRewritesEveryAddressVersion(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 2})
	p := startProxy(t, b, nil)
	for _, v := range []int16{0, 4, 9, 12} {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(v)
		resp := rawRequest(t, p.Bootstrap(), req).(*kmsg.MetadataResponse)
		if len(resp.Brokers) != 2 {
			t.Fatalf("metadata v%d: %d brokers", v, len(resp.Brokers))
		}
		for _, br := range resp.Brokers {
			addr := net.JoinHostPort(br.Host, fmt.Sprint(br.Port))
			if slices.Contains(b.Addrs(), addr) {
				t.Fatalf("metadata v%d leaks upstream %s", v, addr)
			}
		}
	}
	for _, v := range []int16{2, 4} {
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.SetVersion(v)
		req.CoordinatorKey, req.CoordinatorKeys = "g", []string{"g"}
		resp := rawRequest(t, p.Bootstrap(), req).(*kmsg.FindCoordinatorResponse)
		port := resp.Port
		if v >= 4 {
			port = resp.Coordinators[0].Port
		}
		if addr := fmt.Sprintf("127.0.0.1:%d", port); slices.Contains(b.Addrs(), addr) || port == 0 {
			t.Fatalf("find coordinator v%d answered %s", v, addr)
		}
	}
	dc := kmsg.NewPtrDescribeClusterRequest()
	resp := rawRequest(t, p.Bootstrap(), dc).(*kmsg.DescribeClusterResponse)
	for _, br := range resp.Brokers {
		if addr := net.JoinHostPort(br.Host, fmt.Sprint(br.Port)); slices.Contains(b.Addrs(), addr) {
			t.Fatalf("describe cluster leaks upstream %s", addr)
		}
	}
}

func TestProxyAppliesFaultsPerBroker(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, SeedTopics: map[string]int32{"orders": 3}})
	e := chaos.NewEngine(chaos.EngineOptions{})
	p := startProxy(t, b, e)
	client, err := proxyFactory(p).Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctl, err := chaos.StartControl(chaos.ControlOptions{Engine: e, Proxy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	cc := chaos.ControlClient{Addr: ctl.Addr()}
	f, err := chaos.ParseFault("partition,target=1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Set(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	info, err := cc.Proxy(context.Background())
	if err != nil || info.Bootstrap != p.Bootstrap() || len(info.Brokers) != 3 {
		t.Fatalf("proxy info = %+v, %v", info, err)
	}
	var victim string
	for _, pb := range info.Brokers {
		if pb.Node == 1 {
			victim = pb.Local
		}
	}
	// The proxy port accepts, then cuts; the cut can already reset the
	// dial itself.
	if c, err := net.DialTimeout("tcp", victim, 5*time.Second); err != nil {
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatal(err)
		}
	} else {
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatal("partitioned broker's proxy port answered")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("partitioned broker's proxy port left the connection open")
		}
	}
	for _, pb := range p.Brokers() {
		if pb.Node == 1 {
			continue
		}
		req := kmsg.NewPtrMetadataRequest()
		if resp := rawRequest(t, pb.Local, req).(*kmsg.MetadataResponse); len(resp.Brokers) != 3 {
			t.Fatalf("node %d through the proxy: %d brokers", pb.Node, len(resp.Brokers))
		}
	}
}
