// Package schemas decodes and encodes Confluent Schema Registry wire-format
// records and talks to a registry.
//
// The wire format is a zero magic byte, the schema id as a big-endian
// uint32, for Protobuf the message-index path, and then the payload. A
// [Decoder] turns such keys and values into JSON text, looking the schema
// up by id; an [Encoder] validates JSON text against one schema and encodes
// it. Three schema types are supported, each through a well-kept library:
// Avro (github.com/hamba/avro/v2), Protobuf (.proto sources compiled with
// github.com/bufbuild/protocompile, messages built with
// google.golang.org/protobuf's dynamicpb and protojson) and JSON Schema
// (github.com/google/jsonschema-go: draft-07 and 2020-12). The registry client is
// franz-go's pkg/sr.
//
// JSON forms: Avro values are the JSON of hamba's generic decoding (a
// union as its bare value, bytes and fixed as base64, timestamps as
// RFC 3339); encoding accepts that and Avro's own JSON form ({"type":
// value} for a union branch). Protobuf uses protojson with the .proto
// field names. JSON Schema payloads are the JSON itself.
package schemas
