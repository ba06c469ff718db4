package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/twmb/franz-go/pkg/sr"
)

// jsonMain is the resource name the schema itself is compiled as.
const jsonMain = "kq-schema.json"

// jsonCodec is a JSON Schema's codec: payloads are the JSON document.
type jsonCodec struct{ schema *jsonschema.Schema }

func newJSONCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
	c := jsonschema.NewCompiler()
	add := func(name string, text string) error {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(text)))
		if err != nil {
			return fmt.Errorf("json schema %s: %w", name, err)
		}
		if err := c.AddResource(name, doc); err != nil {
			return fmt.Errorf("json schema %s: %w", name, err)
		}
		return nil
	}
	err := resolveRefs(ctx, s, refs, func(name string, ref sr.Schema) error { return add(name, ref.Schema) })
	if err != nil {
		return nil, err
	}
	if err := add(jsonMain, s.Schema); err != nil {
		return nil, err
	}
	sch, err := c.Compile(jsonMain)
	if err != nil {
		return nil, fmt.Errorf("json schema: %w", err)
	}
	return &jsonCodec{schema: sch}, nil
}

func (c *jsonCodec) decode(_ []int, payload []byte) ([]byte, error) {
	if !json.Valid(payload) {
		return nil, fmt.Errorf("json schema payload is not valid json")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, payload); err != nil {
		return nil, fmt.Errorf("json schema payload: %w", err)
	}
	return buf.Bytes(), nil
}

func (c *jsonCodec) encode(text []byte) ([]byte, []int, error) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, nil, fmt.Errorf("invalid json: %w", err)
	}
	if err := c.schema.Validate(inst); err != nil {
		return nil, nil, fmt.Errorf("does not match the json schema: %s", oneLine(err))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, text); err != nil {
		return nil, nil, fmt.Errorf("invalid json: %w", err)
	}
	return buf.Bytes(), nil, nil
}

// oneLine flattens a multi-line validation error.
func oneLine(err error) string {
	return string(bytes.Join(bytes.Fields([]byte(err.Error())), []byte(" ")))
}
