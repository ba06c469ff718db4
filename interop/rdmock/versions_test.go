package rdmock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestKafkaVersions pins which --kafka-version settings let kq talk to the
// mock at all: up to 2.3.x sarama asks for Metadata v8; from 2.4.0 on it
// asks for v9+ (flexible), and the mock's answer carries a byte more than
// the schema, which sarama rejects.
func TestKafkaVersions(t *testing.T) {
	boot := startMock(t)
	cases := []struct {
		version string
		ok      bool
	}{
		{"0.11.0.0", true}, {"1.0.0", true}, {"2.0.0", true}, {"2.3.0", true},
		{"2.4.0", false}, {"2.8.0", false}, {"3.6.0", false},
	}
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			res := runKQ(t, "", "cluster", "-b", boot, "--kafka-version", c.version, "--timeout", "3s")
			if c.ok && res.code != 0 {
				t.Fatalf("kq cluster at %s: exit %d: %s", c.version, res.code, res.stderr)
			}
			if !c.ok && (res.code == 0 || !strings.Contains(res.stderr, "invalid length")) {
				t.Fatalf("kq cluster at %s: exit %d, stderr %q; want the Metadata decoding failure", c.version, res.code, res.stderr)
			}
		})
	}
}

// TestFlexibleMetadataTrailingByte shows the cause of the failure above at
// the protocol level: the mock's flexible Metadata responses (v9 and up) are
// one byte longer than the response they encode, while v8 is exact.
func TestFlexibleMetadataTrailingByte(t *testing.T) {
	boot := startMock(t, "t")
	c, err := net.DialTimeout("tcp", strings.Split(boot, ",")[0], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	for v, wantExtra := range map[int16]int{8: 0, 9: 1, 11: 1, 12: 1} {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(v)
		body, err := roundTrip(c, req, int32(v))
		if err != nil {
			t.Fatalf("metadata v%d: %v", v, err)
		}
		resp := req.ResponseKind().(*kmsg.MetadataResponse)
		resp.SetVersion(v)
		if err := resp.ReadFrom(body); err != nil {
			t.Fatalf("metadata v%d: decode: %v", v, err)
		}
		if extra := len(body) - len(resp.AppendTo(nil)); extra != wantExtra {
			t.Errorf("metadata v%d: %d bytes beyond the response, want %d", v, extra, wantExtra)
		}
		if len(resp.Brokers) != 3 {
			t.Errorf("metadata v%d: %d brokers, want 3", v, len(resp.Brokers))
		}
	}
}

// roundTrip sends one request with correlation id corr and returns the
// response body (after the response header).
func roundTrip(c net.Conn, req kmsg.Request, corr int32) ([]byte, error) {
	msg := binary.BigEndian.AppendUint16(nil, uint16(req.Key()))
	msg = binary.BigEndian.AppendUint16(msg, uint16(req.GetVersion()))
	msg = binary.BigEndian.AppendUint32(msg, uint32(corr))
	msg = binary.BigEndian.AppendUint16(msg, 2)
	msg = append(msg, "kq"...)
	if req.IsFlexible() {
		msg = append(msg, 0) // no header tags
	}
	msg = req.AppendTo(msg)
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(msg)))
	if _, err := c.Write(append(frame, msg...)); err != nil {
		return nil, err
	}
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return nil, err
	}
	resp := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c, resp); err != nil {
		return nil, err
	}
	if got := int32(binary.BigEndian.Uint32(resp)); got != corr {
		return nil, fmt.Errorf("correlation id %d, want %d", got, corr)
	}
	hdr := 4
	if req.IsFlexible() {
		hdr++ // empty header tags
	}
	return resp[hdr:], nil
}

// TestProduceConsumeVersions pins which versions carry records both ways
// with kq's sarama clients: Produce v5 (1.0.0 and 1.1.x) answers are too
// short for sarama, although the mock stores the records.
func TestProduceConsumeVersions(t *testing.T) {
	cases := []struct {
		version string
		ok      bool
	}{
		{"0.11.0.0", true}, {"1.0.0", false}, {"1.1.0", false},
		{"2.0.0", true}, {"2.1.0", true}, {"2.3.0", true},
	}
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			boot := startMock(t, "t")
			f := kqFactory(boot, c.version)
			want, err := produceAll(f, "t", 30)
			if !c.ok {
				var perrs sarama.ProducerErrors
				if !errors.As(err, &perrs) || len(perrs) == 0 || !errors.Is(perrs[0].Err, sarama.ErrInsufficientData) {
					t.Fatalf("produce at %s: error %v; want sarama's insufficient data error for every record", c.version, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("produce at %s: %v", c.version, err)
			}
			got, err := readAll(f, "t", 0)
			if err != nil {
				t.Fatalf("consume at %s: %v", c.version, err)
			}
			sameRecords(t, got, want)
		})
	}
}
