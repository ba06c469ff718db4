package schemas_test

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/schemas"
)

func TestJSONSchemaReferenceAndDraft07(t *testing.T) {
	cl := registry(t)
	ctx := context.Background()
	admin := schemas.NewAdmin(cl)
	addr := `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`
	if _, err := admin.Register(ctx, "address", sr.Schema{Schema: addr, Type: sr.TypeJSON}); err != nil {
		t.Fatal(err)
	}
	person := `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object",` +
		`"properties":{"name":{"type":"string"},"home":{"$ref":"address.json"}},"required":["name","home"]}`
	_, err := admin.Register(ctx, "people-value", sr.Schema{Schema: person, Type: sr.TypeJSON,
		References: []sr.SchemaReference{{Name: "address.json", Subject: "address", Version: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, cl, "people-value", "", `{"name":"a","home":{"city":"b"}}`, `{"name":"a","home":{"city":"b"}}`)
	enc, err := schemas.ResolveEncoder(ctx, cl, "people-value", "")
	if err != nil {
		t.Fatal(err)
	}
	// The referenced schema is applied: home needs a city.
	if _, err := enc.Encode([]byte(`{"name":"a","home":{}}`)); err == nil || !strings.Contains(err.Error(), "does not match the json schema") {
		t.Fatalf("a record breaking the referenced schema: err %v", err)
	}
}

func TestJSONSchemaUnsupportedDraftIsAClearError(t *testing.T) {
	err := schemas.Validate(context.Background(), sr.Schema{Type: sr.TypeJSON,
		Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`}, nil)
	if err == nil || !strings.Contains(err.Error(), "draft-04") || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("draft-04: err %v", err)
	}
	err = schemas.Validate(context.Background(), sr.Schema{Type: sr.TypeJSON,
		Schema: `{"$schema":"http://json-schema.org/draft-06/schema#","type":"object","properties":{"a":{"const":1}}}`}, nil)
	if err != nil {
		t.Fatalf("draft-06 is read as draft-07: %v", err)
	}
}
