package chaos

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func startControl(t *testing.T, e *Engine) ControlClient {
	t.Helper()
	s, err := StartControl(ControlOptions{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return ControlClient{Addr: s.Addr()}
}

func TestControlSetListClear(t *testing.T) {
	e := NewEngine(EngineOptions{})
	c := startControl(t, e)
	ctx := context.Background()
	f, err := ParseFault("latency,api=produce,delay=250ms")
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Set(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.Fault.Delay != f.Delay || a.Fault.Probability != 1 {
		t.Fatalf("set answered %+v", a)
	}
	if got := e.List(); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("engine holds %+v", got)
	}
	if _, err := c.Set(ctx, Fault{Kind: Partition, Target: "2"}); err != nil {
		t.Fatal(err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != 2 || list[1].Fault.Target != "2" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if err := c.Clear(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Clear(ctx, a.ID); err == nil || errors.Is(err, kqerr.ErrUsage) || !strings.Contains(err.Error(), "no active fault") {
		t.Fatalf("clearing twice: err = %v, want a runtime error (an unknown id is no usage error)", err)
	}
	if err := c.ClearAll(ctx); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.List(ctx); len(list) != 0 {
		t.Fatalf("after clear all: %+v", list)
	}
}

func TestControlRefusesBadFaults(t *testing.T) {
	c := startControl(t, NewEngine(EngineOptions{}))
	_, err := c.Set(context.Background(), Fault{Kind: KillNode, Target: "1"})
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("broker fault on the proxy: err = %v, want usage error", err)
	}
	if _, err := c.Proxy(context.Background()); err == nil || errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("proxy info without a proxy: err = %v, want a runtime error", err)
	}
}

func TestControlUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = ControlClient{Addr: addr}.List(context.Background())
	if !errors.Is(err, kqerr.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
}

func TestControlListensOnLoopbackOnly(t *testing.T) {
	_, err := StartControl(ControlOptions{Engine: NewEngine(EngineOptions{}), Addr: "0.0.0.0:0"})
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("wildcard address: err = %v, want usage error", err)
	}
}
