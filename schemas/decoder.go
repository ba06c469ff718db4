package schemas

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
)

// wire is the Confluent wire-format header codec.
var wire sr.ConfluentHeader

// registryReader is what a [Decoder] needs of a registry client.
type registryReader interface {
	SchemaSource
	SchemaByID(ctx context.Context, id int) (sr.Schema, error)
}

// Decoder turns Confluent wire-format keys and values into JSON text,
// fetching each schema once by id. It is safe for concurrent use.
type Decoder struct {
	reg registryReader
	mu  sync.Mutex
	ids map[int]cached
	// keyMessage and valueMessage name the Protobuf messages a decoding
	// sink reads keys and values as (see [Decoder.WithMessages]).
	keyMessage, valueMessage string
}

// WithMessages names the Protobuf messages that a sink of
// [NewDecodingSink] decodes keys and values as ("": as the message index
// says); see [Decoder.DecodeMessage]. It returns d.
func (d *Decoder) WithMessages(key, value string) *Decoder {
	d.keyMessage, d.valueMessage = key, value
	return d
}

// cached is a schema id's codec or the error that building it gave; a
// failed id is not asked for again.
type cached struct {
	codec codec
	err   error
}

// NewDecoder returns a decoder that looks schemas up in reg (an
// *sr.Client).
func NewDecoder(reg registryReader) *Decoder {
	return &Decoder{reg: reg, ids: map[int]cached{}}
}

// IsWireFormat reports whether b starts with the wire-format header.
func IsWireFormat(b []byte) bool { return len(b) >= 5 && b[0] == 0 }

// Decode returns b's JSON text when b is in wire format (ok true). Data
// not in wire format comes back unchanged with ok false and no error; a
// wire-format record that cannot be decoded returns the error, with the
// schema id in it.
func (d *Decoder) Decode(ctx context.Context, b []byte) (out []byte, ok bool, err error) {
	return d.DecodeMessage(ctx, b, "")
}

// DecodeMessage is [Decoder.Decode] with, for Protobuf schemas, the
// message to read named (pkg.Msg, or Msg within the file's package; ""
// for the one the wire format's message index names): a payload whose
// index names another message, or that has no index at all (the npm
// client @kafkajs/confluent-schema-registry writes none), is read as that
// message. A name the schema does not declare is an error for the record.
func (d *Decoder) DecodeMessage(ctx context.Context, b []byte, message string) (out []byte, ok bool, err error) {
	if !IsWireFormat(b) {
		return b, false, nil
	}
	id, rest, err := wire.DecodeID(b)
	if err != nil {
		return b, false, nil
	}
	c, err := d.codec(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("schema id %d: %w", id, err)
	}
	switch pc, isProto := c.codec.(*protoCodec); {
	case isProto && message != "":
		out, err = decodeNamed(pc, rest, message)
	case isProto:
		out, err = decodeProto(c.codec, rest)
	default:
		out, err = c.codec.decode(nil, rest)
	}
	if err != nil {
		return nil, false, fmt.Errorf("schema id %d: %w", id, err)
	}
	return out, true, nil
}

// decodeProto decodes a Protobuf payload that starts with Confluent's
// message-index path. Some clients (the npm package
// @kafkajs/confluent-schema-registry among them) write no index at all;
// when the index does not parse or does not lead to a message that
// decodes, the whole payload is tried as the file's first message.
func decodeProto(c codec, b []byte) ([]byte, error) {
	index, rest, err := wire.DecodeIndex(b, 0)
	if err == nil {
		out, derr := c.decode(index, rest)
		if derr == nil {
			return out, nil
		}
		err = derr
	}
	if out, ferr := c.decode([]int{0}, b); ferr == nil {
		return out, nil
	}
	return nil, err
}

// decodeNamed decodes a Protobuf payload as the message named: after its
// message index when that names it, else the whole payload (a writer that
// put no index), else after whatever index it has.
func decodeNamed(c *protoCodec, b []byte, message string) ([]byte, error) {
	md, err := c.find(message)
	if err != nil {
		return nil, err
	}
	if index, rest, err := wire.DecodeIndex(b, 0); err == nil && slices.Equal(index, indexOf(md)) {
		return decodeMessage(md, rest)
	}
	if out, err := decodeMessage(md, b); err == nil {
		return out, nil
	}
	return decodeProto(c, b)
}

// codec returns the cached codec of a schema id, fetching and building it
// the first time.
func (d *Decoder) codec(ctx context.Context, id int) (cached, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.ids[id]; ok {
		return c, c.err
	}
	s, err := d.reg.SchemaByID(ctx, id)
	c := cached{err: err}
	if err == nil {
		c.codec, c.err = newCodec(ctx, s, d.reg)
	}
	cancelled := ctx.Err() != nil && errors.Is(c.err, ctx.Err())
	if !cancelled && !errors.Is(c.err, kqerr.ErrUnreachable) {
		d.ids[id] = c // a cancelled or unanswered lookup is not remembered
	}
	return c, c.err
}
