package consume

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// The built-in broker (kfake) writes transaction markers whose control
// record has no value, where Kafka writes a version and the coordinator
// epoch (6 bytes). sarama v1.61.1 cannot decode such a marker: a partition
// consumer fails the fetch ("insufficient data to decode packet"), drops
// the records it parsed from it, and moves its position past them, in
// either isolation level (Run turns that into an error). Until the broker
// writes complete markers, the transaction tests read through
// markerFixDialer, which gives every empty control record in a Fetch
// response the 6 bytes Kafka would have written.

// markerFixDialer dials TCP and rewrites Fetch responses as above.
type markerFixDialer struct{}

// Dial implements proxy.Dialer.
func (markerFixDialer) Dial(network, addr string) (net.Conn, error) {
	c, err := net.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	return &markerFixConn{Conn: c, reqs: map[int32][2]int16{}}, nil
}

// markerFixConn tracks the API key and version of each request by
// correlation id and rewrites the Fetch responses it reads.
type markerFixConn struct {
	net.Conn

	mu   sync.Mutex
	reqs map[int32][2]int16 // correlation id -> key, version
	wbuf []byte             // request bytes not yet parsed

	rbuf []byte // rewritten response bytes not yet read
}

func (c *markerFixConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.wbuf = append(c.wbuf, p...)
	for len(c.wbuf) >= 12 {
		n := 4 + int(binary.BigEndian.Uint32(c.wbuf))
		if len(c.wbuf) < n {
			break
		}
		key, ver := int16(binary.BigEndian.Uint16(c.wbuf[4:])), int16(binary.BigEndian.Uint16(c.wbuf[6:]))
		c.reqs[int32(binary.BigEndian.Uint32(c.wbuf[8:]))] = [2]int16{key, ver}
		c.wbuf = c.wbuf[n:]
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *markerFixConn) Read(p []byte) (int, error) {
	if len(c.rbuf) == 0 {
		var size [4]byte
		if _, err := io.ReadFull(c.Conn, size[:]); err != nil {
			return 0, err
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(c.Conn, frame); err != nil {
			return 0, err
		}
		frame = c.fix(frame)
		c.rbuf = binary.BigEndian.AppendUint32(nil, uint32(len(frame)))
		c.rbuf = append(c.rbuf, frame...)
	}
	n := copy(p, c.rbuf)
	c.rbuf = c.rbuf[n:]
	return n, nil
}

// fix rewrites one response frame (correlation id, header, body) if it
// answers a Fetch.
func (c *markerFixConn) fix(frame []byte) []byte {
	if len(frame) < 4 {
		return frame
	}
	corr := int32(binary.BigEndian.Uint32(frame))
	c.mu.Lock()
	req, ok := c.reqs[corr]
	delete(c.reqs, corr)
	c.mu.Unlock()
	if !ok || req[0] != 1 {
		return frame
	}
	hdr := 4
	if req[1] >= 12 {
		hdr = 5 // flexible response header: an empty tagged-field section
	}
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = req[1]
	if err := resp.ReadFrom(frame[hdr:]); err != nil {
		return frame
	}
	changed := false
	for ti := range resp.Topics {
		for pi := range resp.Topics[ti].Partitions {
			p := &resp.Topics[ti].Partitions[pi]
			if fixed, ok := fixMarkers(p.RecordBatches); ok {
				p.RecordBatches, changed = fixed, true
			}
		}
	}
	if !changed {
		return frame
	}
	return resp.AppendTo(append([]byte(nil), frame[:hdr]...))
}

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// fixMarkers gives each control record without a value in raw batches the
// 6-byte value Kafka writes, and reports whether it changed anything.
func fixMarkers(raw []byte) ([]byte, bool) {
	var out []byte
	changed := false
	for len(raw) >= 12 {
		n := 12 + int(binary.BigEndian.Uint32(raw[8:12]))
		if n > len(raw) {
			break // a partial trailing batch stays as it is
		}
		one := raw[:n]
		raw = raw[n:]
		var b kmsg.RecordBatch
		var r kmsg.Record
		if b.ReadFrom(one) != nil || b.Attributes&0x20 == 0 || r.ReadFrom(b.Records) != nil || len(r.Value) != 0 {
			out = append(out, one...)
			continue
		}
		r.Value = make([]byte, 6) // version 0, coordinator epoch 0
		r.Length = int32(len(r.AppendTo(nil)) - 1)
		b.Records = r.AppendTo(nil)
		b.Length = int32(len(b.AppendTo(nil)) - 12)
		b.CRC = int32(crc32.Checksum(b.AppendTo(nil)[21:], crc32c))
		out = append(out, b.AppendTo(nil)...)
		changed = true
	}
	return append(out, raw...), changed
}
