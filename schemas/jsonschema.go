package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/twmb/franz-go/pkg/sr"
)

// jsonBase is the URI the schema itself is resolved against: a reference
// named "other.json" is then kq:///other.json.
const jsonBase = "kq:///kq-schema.json"

// The drafts kq validates: draft-07 (Confluent's default; draft-06 schemas
// are read as draft-07, which only adds keywords) and 2020-12 (also what a
// schema without $schema is taken as).
var jsonDrafts = map[string]string{
	"": "",
	"http://json-schema.org/draft-07/schema#":      "",
	"http://json-schema.org/draft-07/schema":       "",
	"https://json-schema.org/draft-07/schema#":     "",
	"https://json-schema.org/draft-07/schema":      "",
	"http://json-schema.org/draft-06/schema#":      "http://json-schema.org/draft-07/schema#",
	"http://json-schema.org/draft-06/schema":       "http://json-schema.org/draft-07/schema#",
	"https://json-schema.org/draft/2020-12/schema": "",
}

// jsonCodec is a JSON Schema's codec: payloads are the JSON document.
type jsonCodec struct{ schema *jsonschema.Resolved }

func newJSONCodec(ctx context.Context, s sr.Schema, refs SchemaSource) (codec, error) {
	base, _ := url.Parse(jsonBase)
	named := map[string]*jsonschema.Schema{}
	err := resolveRefs(ctx, s, refs, func(name string, ref sr.Schema) error {
		u, err := base.Parse(name)
		if err != nil {
			return fmt.Errorf("json schema reference %q: %w", name, err)
		}
		sch, err := parseJSONSchema(name, ref.Schema)
		if err != nil {
			return err
		}
		named[u.String()] = sch
		return nil
	})
	if err != nil {
		return nil, err
	}
	root, err := parseJSONSchema("", s.Schema)
	if err != nil {
		return nil, err
	}
	load := func(u *url.URL) (*jsonschema.Schema, error) {
		key := *u
		key.Fragment = ""
		if sch, ok := named[key.String()]; ok {
			return sch, nil
		}
		return nil, fmt.Errorf("no schema reference named %s", u)
	}
	rs, err := root.Resolve(&jsonschema.ResolveOptions{BaseURI: jsonBase, Loader: load})
	if err != nil {
		return nil, fmt.Errorf("json schema: %w", err)
	}
	return &jsonCodec{schema: rs}, nil
}

// parseJSONSchema reads a schema document; name is the reference it is
// ("" for the schema itself).
func parseJSONSchema(name, text string) (*jsonschema.Schema, error) {
	what := "json schema"
	if name != "" {
		what = fmt.Sprintf("json schema %s", name)
	}
	var sch jsonschema.Schema
	if err := json.Unmarshal([]byte(text), &sch); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	draft, ok := jsonDrafts[sch.Schema]
	if !ok {
		return nil, fmt.Errorf("%s: $schema %q is not supported (kq validates draft-07, draft-06 as draft-07, and 2020-12)", what, sch.Schema)
	}
	if draft != "" {
		sch.Schema = draft
	}
	return &sch, nil
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
	var inst any
	if err := json.Unmarshal(text, &inst); err != nil {
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
