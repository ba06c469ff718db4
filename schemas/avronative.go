package schemas

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
)

// decodeJSON parses JSON text with numbers kept exact.
func decodeJSON(text []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid json: %w", err)
	}
	if d.More() {
		return nil, fmt.Errorf("invalid json: more than one value")
	}
	return v, nil
}

// avroNative converts a JSON value to the Go value hamba/avro encodes for
// schema s, checking it on the way; path names the place for errors.
func avroNative(s avro.Schema, v any, path string) (any, error) {
	switch s := s.(type) {
	case *avro.RefSchema:
		return avroNative(s.Schema(), v, path)
	case *avro.RecordSchema:
		return avroRecord(s, v, path)
	case *avro.UnionSchema:
		return avroUnion(s, v, path)
	case *avro.ArraySchema:
		items, ok := v.([]any)
		if !ok {
			return nil, mismatch(path, "an array", v)
		}
		out := make([]any, len(items))
		for i, it := range items {
			var err error
			if out[i], err = avroNative(s.Items(), it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *avro.MapSchema:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch(path, "an object", v)
		}
		out := make(map[string]any, len(m))
		for k, it := range m {
			var err error
			if out[k], err = avroNative(s.Values(), it, join(path, k)); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *avro.EnumSchema:
		str, ok := v.(string)
		if !ok || !contains(s.Symbols(), str) {
			return nil, fmt.Errorf("%s: want one of %s, got %s", where(path), strings.Join(s.Symbols(), ", "), show(v))
		}
		return str, nil
	case *avro.FixedSchema:
		b, err := avroBytes(v, path)
		if err != nil {
			return nil, err
		}
		if len(b) != s.Size() {
			return nil, fmt.Errorf("%s: want %d bytes, got %d", where(path), s.Size(), len(b))
		}
		return b, nil
	case *avro.PrimitiveSchema:
		return avroPrimitive(s, v, path)
	case *avro.NullSchema:
		if v != nil {
			return nil, mismatch(path, "null", v)
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%s: unsupported avro type %s", where(path), s.Type())
}

func avroRecord(s *avro.RecordSchema, v any, path string) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch(path, "an object for record "+s.FullName(), v)
	}
	known := make(map[string]bool, len(s.Fields()))
	out := make(map[string]any, len(m))
	for _, f := range s.Fields() {
		known[f.Name()] = true
		fv, ok := m[f.Name()]
		if !ok {
			if !f.HasDefault() {
				return nil, fmt.Errorf("%s: missing field %q", where(path), f.Name())
			}
			continue // hamba writes the default
		}
		var err error
		if out[f.Name()], err = avroNative(f.Type(), fv, join(path, f.Name())); err != nil {
			return nil, err
		}
	}
	var extra []string
	for k := range m {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("%s: unknown field %q in record %s", where(path), extra[0], s.FullName())
	}
	return out, nil
}

// avroUnion picks the union branch: null for null, the named branch of a
// one-key object {"type": value} (Avro's JSON form), else the first branch
// the value converts to.
func avroUnion(s *avro.UnionSchema, v any, path string) (any, error) {
	if v == nil {
		if t, _ := s.Types().Get(string(avro.Null)); t != nil {
			return nil, nil
		}
		return nil, mismatch(path, "a non-null value", v)
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for name, inner := range m {
			if t, _ := s.Types().Get(name); t != nil {
				nv, err := avroNative(t, inner, path)
				if err != nil {
					return nil, err
				}
				return map[string]any{name: nv}, nil
			}
		}
	}
	for _, t := range s.Types() {
		if t.Type() == avro.Null {
			continue
		}
		if nv, err := avroNative(t, v, path); err == nil {
			return map[string]any{unionName(t): nv}, nil
		}
	}
	return nil, fmt.Errorf("%s: %s matches no branch of union %s", where(path), show(v), s.String())
}

// unionName is the name hamba resolves a union branch by.
func unionName(t avro.Schema) string {
	if n, ok := t.(avro.NamedSchema); ok {
		return n.FullName()
	}
	if r, ok := t.(*avro.RefSchema); ok {
		return r.Schema().FullName()
	}
	if p, ok := t.(*avro.PrimitiveSchema); ok && p.Logical() != nil {
		return string(t.Type()) + "." + string(p.Logical().Type())
	}
	return string(t.Type())
}

func avroPrimitive(s *avro.PrimitiveSchema, v any, path string) (any, error) {
	if s.Logical() != nil {
		if nv, ok, err := avroLogical(s, v, path); ok || err != nil {
			return nv, err
		}
	}
	switch s.Type() {
	case avro.String:
		if str, ok := v.(string); ok {
			return str, nil
		}
		return nil, mismatch(path, "a string", v)
	case avro.Boolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, mismatch(path, "true or false", v)
	case avro.Bytes:
		return avroBytes(v, path)
	case avro.Int, avro.Long:
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return nil, mismatch(path, "an integer", v)
		}
		if s.Type() == avro.Int {
			if i < -1<<31 || i > 1<<31-1 {
				return nil, fmt.Errorf("%s: %d does not fit an avro int", where(path), i)
			}
			return int(i), nil
		}
		return i, nil
	case avro.Float, avro.Double:
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil {
			return nil, mismatch(path, "a number", v)
		}
		if s.Type() == avro.Float {
			return float32(f), nil
		}
		return f, nil
	}
	return nil, fmt.Errorf("%s: unsupported avro type %s", where(path), s.Type())
}

// avroLogical converts RFC 3339 strings for timestamp logical types and
// decimal strings or numbers for decimals; ok is false when v should be
// taken as the underlying type.
func avroLogical(s *avro.PrimitiveSchema, v any, path string) (any, bool, error) {
	switch s.Logical().Type() {
	case avro.TimestampMillis, avro.TimestampMicros, avro.LocalTimestampMillis, avro.LocalTimestampMicros, avro.Date:
		str, ok := v.(string)
		if !ok {
			if s.Logical().Type() == avro.Date {
				n, isNum := v.(json.Number)
				days, err := n.Int64()
				if !isNum || err != nil {
					return nil, true, mismatch(path, "a date", v)
				}
				return time.Unix(days*86400, 0).UTC(), true, nil
			}
			return nil, false, nil
		}
		layout := time.RFC3339Nano
		if s.Logical().Type() == avro.Date {
			layout = time.DateOnly
		}
		t, err := time.Parse(layout, str)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", where(path), err)
		}
		return t, true, nil
	case avro.Decimal:
		var str string
		switch x := v.(type) {
		case string:
			str = x
		case json.Number:
			str = x.String()
		default:
			return nil, true, mismatch(path, "a decimal", v)
		}
		r, ok := new(big.Rat).SetString(str)
		if !ok {
			return nil, true, mismatch(path, "a decimal", v)
		}
		return r, true, nil
	}
	return nil, false, nil
}

// avroBytes reads bytes given as base64 text (as decoding writes them).
func avroBytes(v any, path string) ([]byte, error) {
	str, ok := v.(string)
	if !ok {
		return nil, mismatch(path, "base64 text", v)
	}
	b, err := base64.StdEncoding.DecodeString(str)
	if err != nil {
		return nil, fmt.Errorf("%s: invalid base64: %w", where(path), err)
	}
	return b, nil
}

func mismatch(path, want string, got any) error {
	return fmt.Errorf("%s: want %s, got %s", where(path), want, show(got))
}

func where(path string) string {
	if path == "" {
		return "value"
	}
	return "field " + path
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// show renders a JSON value short for an error message.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
