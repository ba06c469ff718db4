package chaos

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// testClient speaks raw Kafka frames over a connection for unit tests.
type testClient struct {
	t    *testing.T
	conn net.Conn
	corr int32
}

func dialTest(t *testing.T, d *Dialer, addr string) *testClient {
	t.Helper()
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &testClient{t: t, conn: c}
}

// send writes req and returns its correlation id.
func (c *testClient) send(req kmsg.Request) int32 {
	c.t.Helper()
	c.corr++
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write(reqFrame(req, c.corr)); err != nil {
		c.t.Fatalf("write request: %v", err)
	}
	return c.corr
}

// recv reads one response frame and decodes it into resp; it returns the
// correlation id.
func (c *testClient) recv(resp kmsg.Response) int32 {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	frame, err := wire.ReadFrame(c.conn, wire.MaxFrameSize)
	if err != nil {
		c.t.Fatalf("read response: %v", err)
	}
	corr := int32(binary.BigEndian.Uint32(frame))
	h, err := wire.ParseResponseHeader(frame, resp.Key(), resp.GetVersion())
	if err != nil {
		c.t.Fatal(err)
	}
	if err := resp.ReadFrom(frame[h.BodyOffset:]); err != nil {
		c.t.Fatalf("decode %T: %v", resp, err)
	}
	return corr
}

// answersMetadata sends a Metadata request of version v and fails the
// test, saying what, unless the next response answers it.
func (c *testClient) answersMetadata(v int16, what string) {
	c.t.Helper()
	corr := c.send(metadataReq(v))
	if got := c.recv(withVersion(kmsg.NewPtrMetadataResponse(), v)); got != corr {
		c.t.Fatalf("%s: response corr %d, want %d", what, got, corr)
	}
}

// readErr reads until the connection fails and returns the error; a
// timeout fails the test.
func (c *testClient) readErr() error {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1024)
	for {
		_, err := c.conn.Read(buf)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			c.t.Fatal("connection still open after 5s")
		}
		if err != nil {
			return err
		}
	}
}

func produceReq(version, acks int16) *kmsg.ProduceRequest {
	req := withVersion(kmsg.NewPtrProduceRequest(), version)
	req.Acks = acks
	req.TimeoutMillis = 1000
	req.Topics = []kmsg.ProduceRequestTopic{{Topic: "t", Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 0, Records: []byte("batch")}}}}
	return req
}

func metadataReq(version int16) *kmsg.MetadataRequest {
	return withVersion(kmsg.NewPtrMetadataRequest(), version)
}

// mustSet activates f on e.
func mustSet(t *testing.T, e *Engine, f Fault) string {
	t.Helper()
	id, err := e.Set(f)
	if err != nil {
		t.Fatalf("set %v: %v", f, err)
	}
	return id
}

// hits returns the hit count of fault id.
func hits(e *Engine, id string) int64 {
	for _, a := range e.List() {
		if a.ID == id {
			return a.Hits
		}
	}
	return -1
}
