package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/bufbuild/protocompile"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// protoMain is the file name the schema itself is compiled as.
const protoMain = "kq-schema.proto"

// protoCodec is a Protobuf schema's codec. Encoding uses the file's first
// message (index 0), as Confluent's serializers do by default.
type protoCodec struct{ file protoreflect.FileDescriptor }

func newProtoCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
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
	fd := out[0]
	if fd.Messages().Len() == 0 {
		return nil, fmt.Errorf("protobuf schema declares no message")
	}
	return &protoCodec{file: fd}, nil
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
	md, err := c.message(nil)
	if err != nil {
		return nil, nil, err
	}
	m := dynamicpb.NewMessage(md)
	if err := protojson.Unmarshal(text, m); err != nil {
		return nil, nil, fmt.Errorf("does not match protobuf %s: %w", md.FullName(), err)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("protobuf %s: %w", md.FullName(), err)
	}
	return b, []int{0}, nil
}
