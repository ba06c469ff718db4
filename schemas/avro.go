package schemas

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// avroCodec is an Avro schema's codec.
type avroCodec struct{ schema avro.Schema }

func newAvroCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
	cache := &avro.SchemaCache{}
	err := resolveRefs(ctx, s, refs, func(name string, ref sr.Schema) error {
		if _, err := avro.ParseWithCache(ref.Schema, "", cache); err != nil {
			return fmt.Errorf("avro reference %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	parsed, err := avro.ParseWithCache(s.Schema, "", cache)
	if err != nil {
		return nil, fmt.Errorf("avro schema: %w", err)
	}
	return &avroCodec{schema: parsed}, nil
}

func (c *avroCodec) decode(_ []int, payload []byte) ([]byte, error) {
	var v any
	if err := avro.Unmarshal(c.schema, payload, &v); err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("avro to json: %w", err)
	}
	return out, nil
}

func (c *avroCodec) encode(text []byte) ([]byte, []int, error) {
	v, err := decodeJSON(text)
	if err != nil {
		return nil, nil, err
	}
	native, err := avroNative(c.schema, v, "")
	if err != nil {
		return nil, nil, err
	}
	b, err := avro.Marshal(c.schema, native)
	if err != nil {
		return nil, nil, fmt.Errorf("avro: %w", err)
	}
	return b, nil, nil
}
