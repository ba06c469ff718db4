package broker

import (
	"fmt"
	"net"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// Kafka refuses a topic name that is empty, "." or "..", longer than 249
// characters or made of anything but ASCII letters, digits, '.', '_' and
// '-' (org.apache.kafka.common.internals.Topic.validate), with
// INVALID_TOPIC_EXCEPTION. The pinned kfake creates any name. nameConn
// restores Kafka's answer on one connection: it takes the invalid names out
// of CreateTopics requests and of Metadata requests that would auto-create
// them, before kfake sees the request, and adds Kafka's error for each to
// kfake's response.

// maxTopicNameLen is Kafka's limit on a topic name's length.
const maxTopicNameLen = 249

// ValidTopicName returns an error, in Kafka's words, when Kafka would
// refuse name as a topic name.
func ValidTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("topic name is illegal, it can't be empty")
	case name == "." || name == "..":
		return fmt.Errorf("topic name cannot be \".\" or \"..\"")
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("topic name is illegal, it can't be longer than %d characters, topic name: %s", maxTopicNameLen, name)
	}
	for _, r := range []byte(name) {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("topic name %q is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", name)
		}
	}
	return nil
}

// refusedTopic is an invalid name taken out of a request.
type refusedTopic struct {
	name string
	msg  string
}

// nameReq is what a response needs of its request: the API, the version
// and the names taken out.
type nameReq struct {
	key, version int16
	refused      []refusedTopic
}

// nameConn is one connection's topic name check (see above).
type nameConn struct {
	net.Conn

	reqs inflight[nameReq]
}

func newNameConn(c net.Conn) *nameConn {
	return &nameConn{Conn: c}
}

// request is a frame guard rewrite: it returns the frame without the
// invalid names it must refuse.
func (c *nameConn) request(frame []byte, h wire.RequestHeader) []byte {
	var req kmsg.Request
	switch h.Key {
	case int16(kmsg.CreateTopics):
		req = kmsg.NewPtrCreateTopicsRequest()
	case int16(kmsg.Metadata):
		req = kmsg.NewPtrMetadataRequest()
	default:
		return frame
	}
	req.SetVersion(h.Version)
	if req.ReadFrom(frame[h.BodyOffset:]) != nil {
		return frame // kfake answers what it cannot decode
	}
	refused := takeInvalid(req)
	if len(refused) == 0 {
		return frame
	}
	if !c.reqs.add(h.CorrelationID, nameReq{key: h.Key, version: h.Version, refused: refused}) {
		return frame
	}
	return req.AppendTo(append([]byte(nil), frame[:h.BodyOffset]...))
}

// takeInvalid removes the names to refuse from a CreateTopics request, or
// from a Metadata request that asks to auto-create unknown topics (every
// version before 4 does, as kq's broker reads it), and returns them.
func takeInvalid(req kmsg.Request) []refusedTopic {
	var refused []refusedTopic
	switch r := req.(type) {
	case *kmsg.CreateTopicsRequest:
		kept := r.Topics[:0]
		for _, t := range r.Topics {
			if err := ValidTopicName(t.Topic); err != nil {
				refused = append(refused, refusedTopic{t.Topic, err.Error()})
				continue
			}
			kept = append(kept, t)
		}
		r.Topics = kept
	case *kmsg.MetadataRequest:
		if r.Version >= 4 && !r.AllowAutoTopicCreation {
			return nil // kfake answers UNKNOWN_TOPIC_OR_PARTITION, as Kafka
		}
		kept := make([]kmsg.MetadataRequestTopic, 0, len(r.Topics))
		for _, t := range r.Topics {
			if t.Topic != nil && t.TopicID == [16]byte{} {
				if err := ValidTopicName(*t.Topic); err != nil {
					refused = append(refused, refusedTopic{*t.Topic, err.Error()})
					continue
				}
			}
			kept = append(kept, t)
		}
		if r.Topics != nil {
			r.Topics = kept // non-nil: an empty list asks for no topic, nil for all
		}
	}
	return refused
}

// Write adds the refused names to the response of a request they were
// taken out of.
func (c *nameConn) Write(frame []byte) (int, error) {
	nr, ok := c.reqs.take(frame)
	if !ok {
		return c.Conn.Write(frame)
	}
	var resp kmsg.Response = kmsg.NewPtrMetadataResponse()
	if nr.key == int16(kmsg.CreateTopics) {
		resp = kmsg.NewPtrCreateTopicsResponse()
	}
	out := rewriteResponse(frame, replReq{key: nr.key, version: nr.version}, resp, func(r kmsg.Response) bool {
		addRefused(r, nr.refused)
		return true
	})
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

// addRefused adds INVALID_TOPIC_EXCEPTION for each refused name.
func addRefused(resp kmsg.Response, refused []refusedTopic) {
	code := kerr.InvalidTopicException.Code
	for _, rt := range refused {
		switch r := resp.(type) {
		case *kmsg.CreateTopicsResponse:
			t := kmsg.NewCreateTopicsResponseTopic()
			t.Topic, t.ErrorCode, t.ErrorMessage = rt.name, code, kmsg.StringPtr(rt.msg)
			r.Topics = append(r.Topics, t)
		case *kmsg.MetadataResponse:
			t := kmsg.NewMetadataResponseTopic()
			t.Topic, t.ErrorCode = kmsg.StringPtr(rt.name), code
			r.Topics = append(r.Topics, t)
		}
	}
}
