package wire

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ErrShortHeader marks a frame too short for the header it should carry.
var ErrShortHeader = errors.New("wire: frame shorter than its header")

// APIVersionsKey is the ApiVersions API key: its responses always use
// response header v0, even at flexible versions.
const APIVersionsKey = 18

// RequestHeader is the header of a Kafka request frame.
type RequestHeader struct {
	// Key is the API key (0 Produce, 1 Fetch, 3 Metadata, ...).
	Key int16
	// Version is the API version of the request and of its response.
	Version int16
	// CorrelationID is echoed by the broker in the response.
	CorrelationID int32
	// ClientID is the client id, nil when the client sent null.
	ClientID *string
	// Flexible reports a flexible version (KIP-482): tagged fields in the
	// header and the body. It is false for an API key kmsg does not know.
	Flexible bool
	// Known reports that kmsg knows the API key, so Flexible and
	// BodyOffset can be trusted.
	Known bool
	// BodyOffset is where the request body starts in the frame payload.
	BodyOffset int
}

// ParseRequestHeader parses the header of a request frame payload (the
// bytes after the length prefix). Header v2 tagged fields of flexible
// versions are skipped, and ControlledShutdown v0's header without client id
// is understood.
func ParseRequestHeader(frame []byte) (RequestHeader, error) {
	r := kbin.Reader{Src: frame}
	h := RequestHeader{Key: r.Int16(), Version: r.Int16(), CorrelationID: r.Int32()}
	if !r.Ok() {
		return h, ErrShortHeader
	}
	if req := kmsg.RequestForKey(h.Key); req != nil {
		req.SetVersion(h.Version)
		h.Known, h.Flexible = true, req.IsFlexible()
	}
	if h.Key != 7 || h.Version != 0 { // ControlledShutdown v0 has no client id
		h.ClientID = r.NullableString()
	}
	if h.Flexible {
		skipTags(&r)
	}
	if !r.Ok() {
		return h, fmt.Errorf("%w: api key %d version %d", ErrShortHeader, h.Key, h.Version)
	}
	h.BodyOffset = len(frame) - len(r.Src)
	return h, nil
}

// ResponseHeader is the header of a Kafka response frame.
type ResponseHeader struct {
	// CorrelationID matches the request the frame answers.
	CorrelationID int32
	// BodyOffset is where the response body starts in the frame payload.
	BodyOffset int
}

// ParseResponseHeader parses the header of a response frame payload that
// answers a request of the given key and version: response header v1 (with
// tagged fields) for flexible versions, except ApiVersions, which always
// answers with header v0. An unknown key is read as header v0.
func ParseResponseHeader(frame []byte, key, version int16) (ResponseHeader, error) {
	r := kbin.Reader{Src: frame}
	h := ResponseHeader{CorrelationID: r.Int32()}
	if responseHeaderTagged(key, version) {
		skipTags(&r)
	}
	if !r.Ok() {
		return h, ErrShortHeader
	}
	h.BodyOffset = len(frame) - len(r.Src)
	return h, nil
}

// responseHeaderTagged reports whether responses to key at version carry
// response header v1.
func responseHeaderTagged(key, version int16) bool {
	if key == APIVersionsKey {
		return false
	}
	req := kmsg.RequestForKey(key)
	if req == nil {
		return false
	}
	req.SetVersion(version)
	return req.IsFlexible()
}

// skipTags skips a tagged-field section. Unlike kmsg.SkipTags it stops as
// soon as the input runs out, so a garbage tag count cannot spin.
func skipTags(r *kbin.Reader) {
	for n := r.Uvarint(); n > 0 && r.Ok(); n-- {
		r.Uvarint()
		r.Span(int(r.Uvarint()))
	}
}
