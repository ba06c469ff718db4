package broker

import (
	"encoding/binary"
	"net"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake writes transaction markers (control records) with a key but no
// value, while Kafka writes a 6-byte value (version, coordinator epoch) and
// some clients, sarama among them, fail to decode a fetch that holds a
// marker without one. markerConn repairs Fetch responses on their way out:
// every control record without a full value gets Kafka's value, with
// version 0 and coordinator epoch 0, and its batch a new length and CRC.
//
// The repair costs a decode of each Fetch response, so it only starts once
// the cluster may hold markers: after the first EndTxn or WriteTxnMarkers
// request, or from the start when state is loaded from a data dir.

const (
	apiFetch             = 1
	apiEndTxn            = 26
	apiWriteTxnMarkers   = 27
	apiDescribeProducers = 61
	markerValueLen       = 6
)

// markerConn wraps a server-side connection: Read sees requests (to learn
// the version of each Fetch), Write sees whole response frames from kfake.
type markerConn struct {
	net.Conn
	txns *atomic.Bool

	// ends corrects DescribeProducers answers (txnends.go); nil: none.
	ends *txnEnds

	fetches inflight[int16] // the version of each Fetch in flight
	// describes holds the version of each DescribeProducers in flight.
	describes inflight[int16]

	// request stream parser state
	hdr  [12]byte
	nhdr int
	skip int64
}

func newMarkerConn(c net.Conn, txns *atomic.Bool) *markerConn {
	return &markerConn{Conn: c, txns: txns}
}

func (c *markerConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.scan(p[:n])
	return n, err
}

// scan follows the request frames in b: size, api key, version and
// correlation id of each, skipping bodies.
func (c *markerConn) scan(b []byte) {
	for len(b) > 0 {
		if c.skip > 0 {
			k := min(int64(len(b)), c.skip)
			c.skip -= k
			b = b[k:]
			continue
		}
		k := copy(c.hdr[c.nhdr:], b)
		c.nhdr += k
		b = b[k:]
		if c.nhdr < len(c.hdr) {
			return
		}
		c.nhdr = 0
		size := int64(int32(binary.BigEndian.Uint32(c.hdr[0:4])))
		c.skip = max(size-8, 0)
		c.request(int16(binary.BigEndian.Uint16(c.hdr[4:6])), int16(binary.BigEndian.Uint16(c.hdr[6:8])), int32(binary.BigEndian.Uint32(c.hdr[8:12])))
	}
}

func (c *markerConn) request(key, version int16, corr int32) {
	switch key {
	case apiEndTxn, apiWriteTxnMarkers:
		c.txns.Store(true)
	case apiFetch:
		c.fetches.add(corr, version)
	case apiDescribeProducers:
		c.describes.add(corr, version)
	}
}

func (c *markerConn) Write(frame []byte) (int, error) {
	version, isFetch := c.fetches.take(frame)
	dpVersion, isDescribe := c.describes.take(frame)
	if isDescribe && c.ends != nil {
		return c.writeProducers(frame, dpVersion)
	}
	if isFetch && c.txns.Load() {
		if fixed, ok := fixFetchFrame(frame, version); ok {
			if _, err := c.Conn.Write(fixed); err != nil {
				return 0, err
			}
			return len(frame), nil
		}
	}
	return c.Conn.Write(frame)
}

// writeProducers writes a DescribeProducers answer, corrected by c.ends.
func (c *markerConn) writeProducers(frame []byte, version int16) (int, error) {
	out := rewriteResponse(frame, replReq{key: apiDescribeProducers, version: version}, kmsg.NewPtrDescribeProducersResponse(),
		func(r kmsg.Response) bool { return c.ends.fixProducers(r.(*kmsg.DescribeProducersResponse)) })
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

// fixFetchFrame returns the frame with its markers repaired, or false when
// nothing needed repair (or it could not be decoded: then it is sent as it
// is).
func fixFetchFrame(frame []byte, version int16) ([]byte, bool) {
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = version
	body := 8
	if resp.IsFlexible() {
		body++
	}
	if len(frame) < body || resp.ReadFrom(frame[body:]) != nil {
		return nil, false
	}
	changed := false
	for i := range resp.Topics {
		for j := range resp.Topics[i].Partitions {
			p := &resp.Topics[i].Partitions[j]
			if fixed, ok := fixBatches(p.RecordBatches); ok {
				p.RecordBatches, changed = fixed, true
			}
		}
	}
	if !changed {
		return nil, false
	}
	out := append([]byte(nil), frame[:body]...)
	out = resp.AppendTo(out)
	binary.BigEndian.PutUint32(out[:4], uint32(len(out)-4))
	return out, true
}

// fixBatches repairs the control batches among raw record batches.
func fixBatches(b []byte) ([]byte, bool) {
	var out []byte
	changed := false
	for i := 0; i+12 <= len(b); {
		n := 12 + int(int32(binary.BigEndian.Uint32(b[i+8:i+12])))
		if n < 23 || i+n > len(b) {
			break // a partial batch at the end: leave it and the rest
		}
		batch := b[i : i+n]
		if batch[wire.BatchMagic] == 2 && int16(binary.BigEndian.Uint16(batch[wire.BatchAttributes:]))&wire.AttrControl != 0 {
			if fixed, ok := fixMarkerBatch(batch); ok {
				if !changed {
					out = append(out, b[:i]...)
					changed = true
				}
				out = append(out, fixed...)
				i += n
				continue
			}
		}
		if changed {
			out = append(out, batch...)
		}
		i += n
	}
	if !changed {
		return nil, false
	}
	return out, true
}

func fixMarkerBatch(raw []byte) ([]byte, bool) {
	var batch kmsg.RecordBatch
	if batch.ReadFrom(raw) != nil {
		return nil, false
	}
	recs, err := batchRecords(batch)
	if err != nil {
		return nil, false
	}
	changed := false
	var records []byte
	for _, r := range recs {
		if len(r.Value) < markerValueLen {
			r.Value = make([]byte, markerValueLen) // version 0, coordinator epoch 0
			changed = true
		}
		records = appendRecord(records, r)
	}
	if !changed {
		return nil, false
	}
	batch.Records = records
	return encodeBatch(batch), true
}

// appendRecord appends r to dst with its length computed.
func appendRecord(dst []byte, r kmsg.Record) []byte {
	r.Length = 0
	enc := r.AppendTo(nil)
	r.Length = int32(len(enc) - 1) // varint(0) took one byte
	return r.AppendTo(dst)
}

// encodeBatch encodes b with its length and CRC computed.
func encodeBatch(b kmsg.RecordBatch) []byte {
	enc := b.AppendTo(nil)
	b.Length = int32(len(enc) - 12)
	enc = b.AppendTo(enc[:0])
	b.CRC = int32(wire.BatchChecksum(enc))
	return b.AppendTo(enc[:0])
}
