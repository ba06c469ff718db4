package schemas

import (
	"context"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// codec converts between one schema's binary payloads and JSON text.
type codec interface {
	// decode turns a payload (after the wire header) into JSON text;
	// index is the Protobuf message-index path (nil for other types).
	decode(index []int, payload []byte) ([]byte, error)
	// encode validates JSON text and returns the payload and the
	// message-index path to put in the header (nil unless Protobuf).
	encode(text []byte) (payload []byte, index []int, err error)
}

// SchemaSource fetches referenced schemas (Protobuf imports, JSON Schema
// $refs, Avro named types) from the registry.
type SchemaSource interface {
	SchemaByVersion(ctx context.Context, subject string, version int) (sr.SubjectSchema, error)
}

// newCodec builds the codec of s; refs resolves its references (may be
// nil when s has none).
func newCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
	switch s.Type {
	case sr.TypeAvro:
		return newAvroCodec(ctx, s, refs)
	case sr.TypeProtobuf:
		return newProtoCodec(ctx, s, refs)
	case sr.TypeJSON:
		return newJSONCodec(ctx, s, refs)
	}
	return nil, fmt.Errorf("unsupported schema type %s", s.Type)
}

// ParseType parses a schema type name: avro, protobuf (proto) or json.
func ParseType(s string) (sr.SchemaType, error) {
	switch strings.ToLower(s) {
	case "avro", "avsc":
		return sr.TypeAvro, nil
	case "protobuf", "proto":
		return sr.TypeProtobuf, nil
	case "json", "jsonschema", "json-schema":
		return sr.TypeJSON, nil
	}
	return 0, fmt.Errorf("unknown schema type %q (want avro, protobuf or json)", s)
}

// TypeFromFile guesses a schema file's type from its extension: .avsc is
// Avro, .proto Protobuf, .json JSON Schema.
func TypeFromFile(name string) (sr.SchemaType, bool) {
	switch {
	case strings.HasSuffix(name, ".avsc"), strings.HasSuffix(name, ".avro"):
		return sr.TypeAvro, true
	case strings.HasSuffix(name, ".proto"):
		return sr.TypeProtobuf, true
	case strings.HasSuffix(name, ".json"):
		return sr.TypeJSON, true
	}
	return 0, false
}

// resolveRefs fetches s's references depth-first and calls add for each
// (name, schema), each name once.
func resolveRefs(ctx context.Context, s sr.Schema, refs SchemaSource, add func(name string, s sr.Schema) error) error {
	seen := map[string]bool{}
	var walk func(sr.Schema) error
	walk = func(s sr.Schema) error {
		for _, r := range s.References {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			if refs == nil {
				return fmt.Errorf("reference %s: no registry to fetch it from", r.Name)
			}
			got, err := refs.SchemaByVersion(ctx, r.Subject, r.Version)
			if err != nil {
				return fmt.Errorf("reference %s (%s version %d): %w", r.Name, r.Subject, r.Version, err)
			}
			if err := walk(got.Schema); err != nil {
				return err
			}
			if err := add(r.Name, got.Schema); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(s)
}

// Validate reports whether s compiles: an Avro schema parses, a .proto
// compiles and declares a message, a JSON Schema compiles. refs resolves
// its references (may be nil when s has none).
func Validate(ctx context.Context, s sr.Schema, refs SchemaSource) error {
	_, err := newCodec(ctx, s, refs)
	return err
}

// ParseAvro parses an Avro schema with its references resolved.
func ParseAvro(ctx context.Context, s sr.Schema, refs SchemaSource) (avro.Schema, error) {
	c, err := newAvroCodec(ctx, s, refs)
	if err != nil {
		return nil, err
	}
	return c.(*avroCodec).schema, nil
}
