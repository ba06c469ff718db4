package testutil

import (
	"io"
	"net"
	"sync"
	"testing"
)

// ListenSilent starts a TCP listener on 127.0.0.1 that accepts connections,
// reads what they send and never answers, as a broker behind a TLS or SASL
// mismatch seems to. stop closes it and every connection it accepted.
func ListenSilent() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c) //nolint:errcheck // reads and ignores requests
		}
	}()
	stop = func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	return ln.Addr().String(), stop, nil
}

// SilentBroker is [ListenSilent] for a test, stopped with t.Cleanup.
func SilentBroker(t testing.TB) string {
	t.Helper()
	addr, stop, err := ListenSilent()
	if err != nil {
		t.Fatalf("silent listener: %v", err)
	}
	t.Cleanup(stop)
	return addr
}
