package chaos

import (
	"encoding/binary"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// reqFrame encodes req at its set version as a full frame, length prefix
// included.
func reqFrame(req kmsg.Request, corr int32) []byte {
	return kmsg.NewRequestFormatter(kmsg.FormatterClientID("test-client")).AppendRequest(nil, req, corr)
}

// respPayload encodes resp as a response frame payload (no length prefix)
// answering correlation id corr, with the header version Kafka uses.
func respPayload(resp kmsg.Response, corr int32) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(corr))
	if resp.IsFlexible() && resp.Key() != wire.APIVersionsKey {
		b = append(b, 0)
	}
	return resp.AppendTo(b)
}

// respFrame is respPayload behind its length prefix.
func respFrame(resp kmsg.Response, corr int32) []byte {
	return wire.AppendFrame(nil, respPayload(resp, corr))
}

// withVersion sets v on a request and returns it.
func withVersion[T interface{ SetVersion(int16) }](r T, v int16) T {
	r.SetVersion(v)
	return r
}
