package schemareg

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// JSON Schema compatibility, after the rules Confluent's Schema Registry
// documents for JSON Schema (there is no well-kept Go library for them):
// the reader must accept every document the writer's schema accepts, judged
// keyword by keyword. A type may widen (integer to number, one type to
// several) but not narrow; a property may not become required; a property
// the writer's documents may carry (an open content model) may not be
// added to the reader or be closed off by additionalProperties false;
// enum values, lengths, item counts and numeric bounds may loosen but not
// tighten; a pattern, format, multipleOf or const may not be added or
// changed. Changes to $ref, allOf, anyOf, oneOf and not are judged by
// equality: any change to them is reported as incompatible.

type jsonNode = map[string]any

// jsonReader checks JSON Schema compatibility by the rules above.
type jsonReader struct{ doc any }

func newJSONReader(text string) (reader, error) {
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, fmt.Errorf("json schema: %w", err)
	}
	return jsonReader{doc}, nil
}

// cannotRead returns why a document valid under the writer's schema may
// not be valid under r's (none when every one is).
func (r jsonReader) cannotRead(w reader) []string {
	var c jsonCompat
	c.compare("#", w.(jsonReader).doc, r.doc)
	return c.out
}

type jsonCompat struct{ out []string }

func (c *jsonCompat) addf(at, format string, args ...any) {
	c.out = append(c.out, at+": "+fmt.Sprintf(format, args...))
}

// compare judges one writer sub-schema against the reader's at path at.
func (c *jsonCompat) compare(at string, wv, rv any) {
	w, r := asSchema(wv), asSchema(rv)
	if r == nil { // true or {}: anything goes
		return
	}
	if w == nil {
		if len(r) > 0 {
			c.addf(at, "the writer accepted anything, the reader constrains it")
		}
		return
	}
	for _, k := range []string{"$ref", "allOf", "anyOf", "oneOf", "not"} {
		if !reflect.DeepEqual(w[k], r[k]) {
			c.addf(at, "%s changed", k)
		}
	}
	c.types(at, w, r)
	c.object(at, w, r)
	c.array(at, w, r)
	c.bounds(at, w, r)
	c.values(at, w, r)
}

// asSchema returns a schema object, or nil for one that accepts anything
// (true, {}).
func asSchema(v any) jsonNode {
	switch s := v.(type) {
	case jsonNode:
		if len(s) == 0 {
			return nil
		}
		return s
	case bool:
		if !s {
			return jsonNode{"not": jsonNode{}}
		}
	}
	return nil
}

func typeSet(s jsonNode) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (c *jsonCompat) types(at string, w, r jsonNode) {
	rt := typeSet(r)
	if rt == nil {
		return
	}
	wt := typeSet(w)
	if wt == nil {
		c.addf(at, "type narrowed from any to %s", strings.Join(rt, ", "))
		return
	}
	for _, t := range wt {
		if !slices.Contains(rt, t) && !(t == "integer" && slices.Contains(rt, "number")) {
			c.addf(at, "type %s no longer accepted (now %s)", t, strings.Join(rt, ", "))
		}
	}
}

func (c *jsonCompat) object(at string, w, r jsonNode) {
	wp, _ := w["properties"].(jsonNode)
	rp, _ := r["properties"].(jsonNode)
	wreq, rreq := stringSet(w["required"]), stringSet(r["required"])
	for _, name := range rreq {
		if !slices.Contains(wreq, name) {
			c.addf(at, "property %s became required", name)
		}
	}
	for _, name := range sortedKeys(wp) {
		if rs, ok := rp[name]; ok {
			c.compare(at+"/properties/"+name, wp[name], rs)
			continue
		}
		if additional(r) == false {
			c.addf(at, "property %s removed from a closed content model", name)
			continue
		}
		c.compare(at+"/properties/"+name, wp[name], additional(r))
	}
	for _, name := range sortedKeys(rp) {
		if _, ok := wp[name]; ok {
			continue
		}
		// The writer's documents may carry name as whatever its
		// additionalProperties allows.
		if asSchema(additional(w)) == nil && additional(w) != false {
			if asSchema(rp[name]) != nil {
				c.addf(at, "property %s added to an open content model", name)
			}
			continue
		}
		if additional(w) != false {
			c.compare(at+"/properties/"+name, additional(w), rp[name])
		}
	}
	switch wa, ra := additional(w), additional(r); {
	case wa != false && ra == false:
		c.addf(at, "additionalProperties closed")
	case wa != false && ra != nil:
		c.compare(at+"/additionalProperties", wa, ra)
	}
}

// additional is a schema's additionalProperties: a schema, false, or nil
// (anything).
func additional(s jsonNode) any {
	switch a := s["additionalProperties"].(type) {
	case bool:
		if !a {
			return false
		}
		return nil
	case jsonNode:
		return a
	}
	return nil
}

func (c *jsonCompat) array(at string, w, r jsonNode) {
	if ri, ok := r["items"]; ok {
		c.compare(at+"/items", w["items"], ri)
	}
}

// bounds: minimums may only fall, maximums only rise.
func (c *jsonCompat) bounds(at string, w, r jsonNode) {
	for _, k := range []string{"minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum"} {
		if rv, ok := number(r[k]); ok {
			if wv, ok := number(w[k]); !ok || rv > wv {
				c.addf(at, "%s raised to %v", k, rv)
			}
		}
	}
	for _, k := range []string{"maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum"} {
		if rv, ok := number(r[k]); ok {
			if wv, ok := number(w[k]); !ok || rv < wv {
				c.addf(at, "%s lowered to %v", k, rv)
			}
		}
	}
}

// values: enum may only grow; pattern, format, multipleOf and const may
// not be added or changed.
func (c *jsonCompat) values(at string, w, r jsonNode) {
	if re, ok := r["enum"].([]any); ok {
		we, ok := w["enum"].([]any)
		if !ok {
			c.addf(at, "enum added")
		}
		for _, v := range we {
			if !slices.ContainsFunc(re, func(x any) bool { return reflect.DeepEqual(x, v) }) {
				c.addf(at, "enum value %v removed", v)
			}
		}
	}
	for _, k := range []string{"pattern", "format", "multipleOf", "const", "uniqueItems"} {
		if rv, ok := r[k]; ok && !reflect.DeepEqual(rv, w[k]) {
			c.addf(at, "%s added or changed", k)
		}
	}
}

func number(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

func stringSet(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func sortedKeys(m jsonNode) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
