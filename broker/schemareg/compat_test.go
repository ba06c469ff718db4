package schemareg_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
)

// compatCase is a subject's registered versions (registered under NONE),
// a candidate, and the compatibility the registry must find under each
// level.
type compatCase struct {
	name     string
	typ      sr.SchemaType
	versions []string
	cand     string
	ok       map[sr.CompatibilityLevel]bool
}

// levels lists the six checking levels (NONE is tested apart).
var levels = []sr.CompatibilityLevel{sr.CompatBackward, sr.CompatBackwardTransitive, sr.CompatForward,
	sr.CompatForwardTransitive, sr.CompatFull, sr.CompatFullTransitive}

// okUnder says which levels hold for a change: b for backward, f for
// forward, each for the latest version and for all of them.
func okUnder(b, bt, f, ft bool) map[sr.CompatibilityLevel]bool {
	return map[sr.CompatibilityLevel]bool{
		sr.CompatBackward: b, sr.CompatBackwardTransitive: bt, sr.CompatForward: f, sr.CompatForwardTransitive: ft,
		sr.CompatFull: b && f, sr.CompatFullTransitive: bt && ft,
	}
}

func runCompat(t *testing.T, cases []compatCase) {
	t.Helper()
	_, cl := start(t, "")
	ctx := context.Background()
	for i, tc := range cases {
		subject := strings.ReplaceAll(tc.name, " ", "-") + "-value"
		if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone}, subject); r[0].Err != nil {
			t.Fatal(r[0].Err)
		}
		for _, v := range tc.versions {
			if _, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: v, Type: tc.typ}); err != nil {
				t.Fatalf("case %d %s: register %q: %v", i, tc.name, v, err)
			}
		}
		cand := sr.Schema{Schema: tc.cand, Type: tc.typ}
		res, err := cl.CheckCompatibility(ctx, subject, -2, cand) // -2: against the versions the level names
		if err != nil || !res.Is {
			t.Fatalf("%s: under NONE: %+v, %v; want compatible", tc.name, res, err)
		}
		for _, level := range levels {
			if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: level}, subject); r[0].Err != nil {
				t.Fatal(r[0].Err)
			}
			res, err := cl.CheckCompatibility(ctx, subject, -2, cand) // -2: against the versions the level names
			if err != nil {
				t.Fatalf("%s under %s: %v", tc.name, level, err)
			}
			if res.Is != tc.ok[level] {
				t.Errorf("%s under %s: compatible %v (%v), want %v", tc.name, level, res.Is, res.Messages, tc.ok[level])
			}
			if !res.Is && len(res.Messages) == 0 {
				t.Errorf("%s under %s: incompatible with no reason", tc.name, level)
			}
		}
		// Registration is held to the level too: refused with a 409, or
		// taken.
		if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatFullTransitive}, subject); r[0].Err != nil {
			t.Fatal(r[0].Err)
		}
		_, err = cl.CreateSchema(ctx, subject, cand)
		var re *sr.ResponseError
		if refused := errors.As(err, &re) && re.StatusCode == 409; refused == tc.ok[sr.CompatFullTransitive] {
			t.Errorf("%s: registration under FULL_TRANSITIVE: %v, want compatible %v", tc.name, err, tc.ok[sr.CompatFullTransitive])
		}
	}
}

const protoV1 = `syntax = "proto3"; package shop;
message Order { int64 id = 1; string item = 2; }
message Note { string text = 1; }`

func TestProtobufCompatibility(t *testing.T) {
	pb := func(body string) string { return "syntax = \"proto3\"; package shop;\n" + body }
	runCompat(t, []compatCase{{
		name: "proto field added", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int64 id = 1; string item = 2; int32 qty = 3; } message Note { string text = 1; }`),
		ok:   okUnder(true, true, true, true),
	}, {
		name: "proto field renamed and widened in its wire group", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int32 id = 1; bytes name = 2; } message Note { string text = 1; }`),
		ok:   okUnder(true, true, true, true),
	}, {
		name: "proto field type changed", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int64 id = 1; double item = 2; } message Note { string text = 1; }`),
		ok:   okUnder(false, false, false, false),
	}, {
		name: "proto field made repeated", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int64 id = 1; repeated string item = 2; } message Note { string text = 1; }`),
		ok:   okUnder(false, false, false, false),
	}, {
		name: "proto message removed", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int64 id = 1; string item = 2; }`),
		ok:   okUnder(false, false, true, true),
	}, {
		name: "proto message added", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { int64 id = 1; string item = 2; } message Note { string text = 1; } message Extra { int32 n = 1; }`),
		ok:   okUnder(true, true, false, false),
	}, {
		// v1 had Note, v2 dropped it (under NONE): the candidate reads v2's
		// data but not v1's.
		name: "proto transitive backward", typ: sr.TypeProtobuf,
		versions: []string{protoV1, pb(`message Order { int64 id = 1; string item = 2; }`)},
		cand:     pb(`message Order { int64 id = 1; string item = 2; int32 qty = 3; }`),
		ok:       okUnder(true, false, true, true),
	}, {
		// v1 lacked Extra, v2 added it: v1's readers cannot read the
		// candidate, v2's can.
		name: "proto transitive forward", typ: sr.TypeProtobuf,
		versions: []string{protoV1, pb(`message Order { int64 id = 1; string item = 2; } message Note { string text = 1; } message Extra { int32 n = 1; }`)},
		cand:     pb(`message Order { int64 id = 1; string item = 2; } message Note { string text = 1; } message Extra { int32 n = 1; int32 m = 2; }`),
		ok:       okUnder(true, true, true, false),
	}, {
		name: "proto package changed", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: `syntax = "proto3"; package depot; message Order { int64 id = 1; string item = 2; } message Note { string text = 1; }`,
		ok:   okUnder(false, false, false, false),
	}, {
		name: "proto two fields moved into a new oneof", typ: sr.TypeProtobuf, versions: []string{protoV1},
		cand: pb(`message Order { oneof key { int64 id = 1; string item = 2; } } message Note { string text = 1; }`),
		ok:   okUnder(false, false, false, false),
	}})
}

const jsonV1 = `{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string","maxLength":10}},"required":["id"],"additionalProperties":false}`

func TestJSONSchemaCompatibility(t *testing.T) {
	runCompat(t, []compatCase{{
		name: "json description changed", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","description":"an order","properties":{"id":{"type":"integer"},"item":{"type":"string","maxLength":10}},"required":["id"],"additionalProperties":false}`,
		ok:   okUnder(true, true, true, true),
	}, {
		// closed model: old documents never carry qty; old readers refuse it
		name: "json property added to closed model", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string","maxLength":10},"qty":{"type":"integer"}},"required":["id"],"additionalProperties":false}`,
		ok:   okUnder(true, true, false, false),
	}, {
		name: "json type widened", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","properties":{"id":{"type":"number"},"item":{"type":"string","maxLength":10}},"required":["id"],"additionalProperties":false}`,
		ok:   okUnder(true, true, false, false),
	}, {
		name: "json type changed", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","properties":{"id":{"type":"string"},"item":{"type":"string","maxLength":10}},"required":["id"],"additionalProperties":false}`,
		ok:   okUnder(false, false, false, false),
	}, {
		name: "json property made required", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string","maxLength":10}},"required":["id","item"],"additionalProperties":false}`,
		ok:   okUnder(false, false, true, true),
	}, {
		name: "json maxLength lowered", typ: sr.TypeJSON, versions: []string{jsonV1},
		cand: `{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string","maxLength":5}},"required":["id"],"additionalProperties":false}`,
		ok:   okUnder(false, false, true, true),
	}, {
		// open model: old documents may carry qty as anything
		name: "json property added to open model", typ: sr.TypeJSON,
		versions: []string{`{"type":"object","properties":{"id":{"type":"integer"}}}`},
		cand:     `{"type":"object","properties":{"id":{"type":"integer"},"qty":{"type":"integer"}}}`,
		ok:       okUnder(false, false, true, true),
	}, {
		name: "json enum value removed", typ: sr.TypeJSON,
		versions: []string{`{"type":"string","enum":["NEW","PAID"]}`},
		cand:     `{"type":"string","enum":["NEW"]}`,
		ok:       okUnder(false, false, true, true),
	}, {
		// v1 allowed any item length, v2 (under NONE) capped it at 10: the
		// candidate's cap of 20 reads v2's documents, not v1's.
		name: "json transitive backward", typ: sr.TypeJSON,
		versions: []string{`{"type":"object","properties":{"item":{"type":"string"}}}`, `{"type":"object","properties":{"item":{"type":"string","maxLength":10}}}`},
		cand:     `{"type":"object","properties":{"item":{"type":"string","maxLength":20}}}`,
		ok:       okUnder(true, false, false, false),
	}})
}
