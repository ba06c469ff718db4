package wire

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// seedRequests are real request frames (length prefix included) for the
// fuzz corpora.
func seedRequests() [][]byte {
	produce := withVersion(kmsg.NewPtrProduceRequest(), 9)
	produce.Acks = -1
	produce.Topics = []kmsg.ProduceRequestTopic{{Topic: "t", Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 1, Records: []byte("batch")}}}}
	meta := withVersion(kmsg.NewPtrMetadataRequest(), 12)
	meta.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr("orders")}}
	return [][]byte{
		reqFrame(produce, 1),
		reqFrame(withVersion(kmsg.NewPtrProduceRequest(), 3), 2),
		reqFrame(meta, 3),
		reqFrame(withVersion(kmsg.NewPtrMetadataRequest(), 1), 4),
		reqFrame(withVersion(kmsg.NewPtrApiVersionsRequest(), 3), 5),
		reqFrame(withVersion(kmsg.NewPtrFindCoordinatorRequest(), 4), 6),
		reqFrame(withVersion(kmsg.NewPtrControlledShutdownRequest(), 0), 7),
	}
}

func FuzzReadFrame(f *testing.F) {
	for _, s := range seedRequests() {
		f.Add(s)
	}
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0xa5})
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 20
		payload, err := ReadFrame(bytes.NewReader(data), limit)
		if err != nil {
			return
		}
		if want := int(binary.BigEndian.Uint32(data)); len(payload) != want || want > limit {
			t.Fatalf("payload of %d bytes for a prefix of %d", len(payload), want)
		}
	})
}

func FuzzParseRequestHeader(f *testing.F) {
	for _, s := range seedRequests() {
		f.Add(s[4:])
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, err := ParseRequestHeader(frame)
		if err != nil {
			return
		}
		if h.BodyOffset < 8 || h.BodyOffset > len(frame) {
			t.Fatalf("body offset %d outside a %d-byte frame", h.BodyOffset, len(frame))
		}
		if rh, err := ParseResponseHeader(frame, h.Key, h.Version); err == nil && rh.BodyOffset > len(frame) {
			t.Fatalf("response body offset %d outside a %d-byte frame", rh.BodyOffset, len(frame))
		}
	})
}
