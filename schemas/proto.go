package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/kq-dev/kq/internal/kqerr"
)

// protoMain is the file name the schema itself is compiled as.
const protoMain = "kq-schema.proto"

// protoCodec is a Protobuf schema's codec. Encoding uses the chosen
// message (see [protoCodec.choose]), by default the file's first, as
// Confluent's serializers do, and writes its message-index path.
type protoCodec struct {
	file protoreflect.FileDescriptor
	msg  protoreflect.MessageDescriptor // the message encode uses
}

func newProtoCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
	fd, err := compileProto(ctx, s, refs)
	if err != nil {
		return nil, err
	}
	if fd.Messages().Len() == 0 {
		return nil, fmt.Errorf("protobuf schema declares no message")
	}
	return &protoCodec{file: fd, msg: fd.Messages().Get(0)}, nil
}

// compileProto compiles a .proto schema with its references.
func compileProto(ctx context.Context, s sr.Schema, refs SchemaSource) (protoreflect.FileDescriptor, error) {
	files := map[string]string{protoMain: s.Schema}
	err := resolveRefs(ctx, s, refs, func(name string, ref sr.Schema) error {
		files[name] = ref.Schema
		return nil
	})
	if err != nil {
		return nil, err
	}
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: protocompile.SourceAccessorFromMap(files),
		}),
	}
	out, err := c.Compile(ctx, protoMain)
	if err != nil {
		return nil, fmt.Errorf("protobuf schema: %w", err)
	}
	return out[0], nil
}

// ParseProto compiles a Protobuf schema with its references resolved.
func ParseProto(ctx context.Context, s sr.Schema, refs SchemaSource) (protoreflect.FileDescriptor, error) {
	return compileProto(ctx, s, refs)
}

// find returns the message named name: its full name (pkg.Outer.Inner) or
// its name within the file's package (Outer.Inner).
func (c *protoCodec) find(name string) (protoreflect.MessageDescriptor, error) {
	want := protoreflect.FullName(strings.TrimPrefix(name, "."))
	var found protoreflect.MessageDescriptor
	var names []string
	EachProtoMessage(c.file.Messages(), func(md protoreflect.MessageDescriptor) {
		rel := strings.TrimPrefix(string(md.FullName()), string(c.file.Package())+".")
		names = append(names, rel)
		if md.FullName() == want || protoreflect.FullName(rel) == want {
			found = md
		}
	})
	if found == nil {
		return nil, kqerr.Usagef("protobuf message %q is not in the schema (it has %s)", name, strings.Join(names, ", "))
	}
	return found, nil
}

// choose makes encode use the message named name.
func (c *protoCodec) choose(name string) error {
	md, err := c.find(name)
	if err != nil {
		return err
	}
	c.msg = md
	return nil
}

// EachProtoMessage calls fn with every message of ms, nested ones after
// their parent, map entries left out.
func EachProtoMessage(ms protoreflect.MessageDescriptors, fn func(protoreflect.MessageDescriptor)) {
	for i := range ms.Len() {
		md := ms.Get(i)
		if md.IsMapEntry() {
			continue
		}
		fn(md)
		EachProtoMessage(md.Messages(), fn)
	}
}

// indexOf is md's Confluent message-index path: its index among the
// file's messages, then among its parent's nested messages, and so on.
func indexOf(md protoreflect.MessageDescriptor) []int {
	var path []int
	for d := protoreflect.Descriptor(md); d != nil; d = d.Parent() {
		if _, ok := d.(protoreflect.MessageDescriptor); !ok {
			break
		}
		path = append(path, d.Index())
	}
	slices.Reverse(path)
	return path
}

// message finds the message at a Confluent message-index path.
func (c *protoCodec) message(index []int) (protoreflect.MessageDescriptor, error) {
	if len(index) == 0 {
		index = []int{0}
	}
	msgs := c.file.Messages()
	var md protoreflect.MessageDescriptor
	for _, i := range index {
		if i < 0 || i >= msgs.Len() {
			return nil, fmt.Errorf("protobuf message index %v not in the schema", index)
		}
		md = msgs.Get(i)
		msgs = md.Messages()
	}
	return md, nil
}

func (c *protoCodec) decode(index []int, payload []byte) ([]byte, error) {
	md, err := c.message(index)
	if err != nil {
		return nil, err
	}
	return decodeMessage(md, payload)
}

// decodeMessage decodes a payload of message md to JSON text.
func decodeMessage(md protoreflect.MessageDescriptor, payload []byte) ([]byte, error) {
	m := dynamicpb.NewMessage(md)
	if err := proto.Unmarshal(payload, m); err != nil {
		return nil, fmt.Errorf("protobuf %s: %w", md.FullName(), err)
	}
	out, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("protobuf %s to json: %w", md.FullName(), err)
	}
	// protojson varies its spacing on purpose; kq's output is stable.
	var buf bytes.Buffer
	if err := json.Compact(&buf, out); err != nil {
		return nil, fmt.Errorf("protobuf %s to json: %w", md.FullName(), err)
	}
	return buf.Bytes(), nil
}

func (c *protoCodec) encode(text []byte) ([]byte, []int, error) {
	md := c.msg
	m := dynamicpb.NewMessage(md)
	if err := protojson.Unmarshal(text, m); err != nil {
		return nil, nil, fmt.Errorf("does not match protobuf %s: %w", md.FullName(), err)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("protobuf %s: %w", md.FullName(), err)
	}
	return b, indexOf(md), nil
}
