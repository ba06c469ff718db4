package broker_test

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// hostileInputs are byte streams that crashed kfake or made it allocate
// what their length prefix claimed (issue 12), and their neighbours.
func hostileInputs() map[string][]byte {
	header := func(size uint32, key, version int16) []byte {
		b := binary.BigEndian.AppendUint32(nil, size)
		b = binary.BigEndian.AppendUint16(b, uint16(key))
		b = binary.BigEndian.AppendUint16(b, uint16(version))
		b = binary.BigEndian.AppendUint32(b, 1)         // correlation id
		return binary.BigEndian.AppendUint16(b, 0xffff) // null client id
	}
	return map[string][]byte{
		"six bytes, unknown api key":   {0, 0, 0, 2, 'k', 'q'},
		"unknown api key, full header": header(10, 0x6b71, 0),
		"api key -1":                   header(10, -1, 0),
		"metadata version -1":          header(10, 3, -1),
		"metadata version 999":         header(10, 3, 999),
		"4 GiB prefix":                 append([]byte{0xff, 0xff, 0xff, 0xff}, make([]byte, 16)...),
		"101 MiB prefix":               header(101<<20, 3, 1),
		"http request":                 []byte("GET / HTTP/1.1\r\nHost: broker\r\n\r\n"),
		"tls client hello":             {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0, 0, 0, 0, 0},
		"frame shorter than a header":  {0, 0, 0, 5, 0, 3, 0, 1, 0},
		"client id past the frame":     append(header(12, 3, 1)[:12], 0, 40, 'a', 'b'),
	}
}

// refusedByServer writes data to addr and reports whether the server then
// closed the connection (rather than leaving it open past the deadline).
func refusedByServer(t *testing.T, dial func() (net.Conn, error), data []byte) bool {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if _, err := c.Write(data); err != nil {
		return true // already closed
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// apiVersions sends an ApiVersions request on a fresh connection and
// checks that an answer comes back: the broker is alive.
func apiVersions(t *testing.T, dial func() (net.Conn, error)) {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatalf("broker down: dial: %v", err)
	}
	defer c.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.Version = 3
	req.ClientSoftwareName, req.ClientSoftwareVersion = "kq-test", "1"
	if _, err := c.Write(kmsg.NewRequestFormatter().AppendRequest(nil, req, 7)); err != nil {
		t.Fatalf("broker down: write: %v", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		t.Fatalf("broker down: no ApiVersions answer: %v", err)
	}
}

func plainDial(b *broker.Broker) func() (net.Conn, error) {
	return func() (net.Conn, error) { return net.DialTimeout("tcp", b.Addrs()[0], 5*time.Second) }
}

func TestGuardRefusesHostileFrames(t *testing.T) {
	for name, opts := range map[string]*broker.Options{
		"plain": {Nodes: 1},
		"sasl":  {Nodes: 1, Users: []broker.User{{Name: "u", Password: "p"}}},
	} {
		t.Run(name, func(t *testing.T) {
			b := testutil.StartBroker(t, opts)
			dial := plainDial(b)
			for what, data := range hostileInputs() {
				before := b.Refused()
				if !refusedByServer(t, dial, data) {
					t.Errorf("%s: connection left open", what)
				}
				testutil.Eventually(t, 5*time.Second, what+" counted as refused", func() bool { return b.Refused() > before })
				apiVersions(t, dial)
			}
		})
	}
}

func TestGuardRefusesHostileFramesOverTLS(t *testing.T) {
	srv, _ := testutil.SelfSigned(t)
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, TLS: srv})
	dial := func() (net.Conn, error) {
		d := &net.Dialer{Timeout: 5 * time.Second}
		return tls.DialWithDialer(d, "tcp", b.Addrs()[0], &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // test listener
	}
	for what, data := range hostileInputs() {
		if !refusedByServer(t, dial, data) {
			t.Errorf("%s: connection left open", what)
		}
	}
	if b.Refused() < int64(len(hostileInputs())) {
		t.Fatalf("refused %d connections, want %d", b.Refused(), len(hostileInputs()))
	}
	apiVersions(t, dial)
}

// TestGuardPassesSplitFrames checks that frames arriving a byte at a time,
// and several frames in one write, still reach kfake whole.
func TestGuardPassesSplitFrames(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	c, err := plainDial(b)()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	var stream []byte
	for corr := int32(1); corr <= 3; corr++ {
		stream = append(stream, kmsg.NewRequestFormatter().AppendRequest(nil, req, corr)...)
	}
	for i := range stream[:20] {
		if _, err := c.Write(stream[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Write(stream[20:]); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for corr := int32(1); corr <= 3; corr++ {
		var size [4]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			t.Fatalf("response %d: %v", corr, err)
		}
		body := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(c, body); err != nil {
			t.Fatalf("response %d: %v", corr, err)
		}
		if got := int32(binary.BigEndian.Uint32(body)); got != corr {
			t.Fatalf("response correlation id %d, want %d", got, corr)
		}
	}
	if b.Refused() != 0 {
		t.Fatalf("refused %d connections of a good client", b.Refused())
	}
}

// TestGuardLogsRefusal checks that a refused connection is named in the
// broker's log.
func TestGuardLogsRefusal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, Log: w})
	refusedByServer(t, plainDial(b), []byte("GET / HTTP/1.1\r\n\r\n"))
	w.Close()
	b.Close()
	got, _ := io.ReadAll(r)
	if !bytes.Contains(got, []byte("closing connection from 127.0.0.1")) || !bytes.Contains(got, []byte("limit 104857600")) {
		t.Fatalf("log = %q, want the refused connection and the limit", got)
	}
}
