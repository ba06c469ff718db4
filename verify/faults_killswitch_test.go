package verify

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

func TestKillSwitchCutsAndRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	l := newLife(nil, time.Second)
	c, err := l.ks.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo before the cut: %q, %v", buf, err)
	}
	if !l.kill() || l.kill() {
		t.Fatal("kill should report true once, then false")
	}
	if !l.isDead() {
		t.Fatal("not dead after kill")
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Read(buf)
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("read on a cut connection: %v, want it closed", err)
	}
	if _, err := l.ks.Dial("tcp", ln.Addr().String()); !errors.Is(err, errCrashed) {
		t.Fatalf("dial after the cut: %v, want it refused", err)
	}
}
