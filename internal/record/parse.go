package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// wire is a JSON line as written: kq's fields and kcat -J's envelope
// ("payload" for the value, "ts" for the timestamp, headers as a flat
// array of names and values). Raw fields tell a missing field from null.
type wire struct {
	Topic         string          `json:"topic"`
	Partition     *int32          `json:"partition"`
	Offset        *int64          `json:"offset"`
	Timestamp     *int64          `json:"timestamp"`
	TS            *int64          `json:"ts"`
	Key           json.RawMessage `json:"key"`
	KeyEncoding   string          `json:"key_encoding"`
	Value         json.RawMessage `json:"value"`
	Payload       json.RawMessage `json:"payload"`
	ValueEncoding string          `json:"value_encoding"`
	Headers       json.RawMessage `json:"headers"`
}

// Parse decodes one JSON line into a record and checks its encodings. It
// reads kq's form and kcat -J's envelope ("payload", "ts", headers as
// ["name","value",...]). A line must say what its value is: a missing
// "value" (and "payload") is an error, and a tombstone is written
// "value": null. Keys, values and header values are strings or null; a
// nested JSON value is an error rather than a guess. Errors are one line.
func Parse(line []byte) (Record, error) {
	var w wire
	if err := json.Unmarshal(line, &w); err != nil {
		return Record{}, jsonError(err)
	}
	r := Record{Topic: w.Topic, Partition: w.Partition, Offset: w.Offset, Timestamp: w.Timestamp,
		KeyEncoding: w.KeyEncoding, ValueEncoding: w.ValueEncoding}
	if err := w.timestamp(&r); err != nil {
		return Record{}, err
	}
	var err error
	if r.Key, err = optString("key", w.Key); err != nil {
		return Record{}, err
	}
	if r.Value, err = w.value(); err != nil {
		return Record{}, err
	}
	if r.Headers, err = parseHeaders(w.Headers); err != nil {
		return Record{}, err
	}
	return r, r.check()
}

// timestamp takes kcat's "ts" when "timestamp" is absent; a negative ts
// is kcat's "no timestamp".
func (w *wire) timestamp(r *Record) error {
	switch {
	case w.TS == nil:
	case w.Timestamp != nil && *w.Timestamp != *w.TS:
		return fmt.Errorf(`"timestamp" %d and "ts" %d disagree`, *w.Timestamp, *w.TS)
	case *w.TS >= 0:
		r.Timestamp = w.TS
	}
	return nil
}

// value is "value", or kcat's "payload"; one of them must be there.
func (w *wire) value() (*string, error) {
	switch {
	case w.Value != nil && w.Payload != nil:
		return nil, errors.New(`both "value" and "payload" given: use one`)
	case w.Payload != nil:
		return optString("payload", w.Payload)
	case w.Value == nil:
		return nil, errors.New(`no "value": write "value": null for a tombstone`)
	}
	return optString("value", w.Value)
}

// check decodes every encoding once, so callers' decodes cannot fail.
func (r *Record) check() error {
	if _, err := r.KeyBytes(); err != nil {
		return err
	}
	if _, err := r.ValueBytes(); err != nil {
		return err
	}
	for i := range r.Headers {
		if _, err := r.HeaderKeyBytes(i); err != nil {
			return err
		}
		if _, err := r.HeaderBytes(i); err != nil {
			return err
		}
	}
	return nil
}

// optString decodes a field that is a string or null (nil for null or
// absent).
func optString(field string, raw json.RawMessage) (*string, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	if raw[0] != '"' {
		return nil, fmt.Errorf(`%q is a JSON %s; it must be a string or null (put JSON documents in a string)`, field, kind(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%q: %w", field, jsonError(err))
	}
	return &s, nil
}

// parseHeaders reads kq's [{"key":..,"value":..}] or kcat's
// ["name","value",...].
func parseHeaders(raw json.RawMessage) ([]Header, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf(`"headers" is a JSON %s; want [{"key":"k","value":"v"}] or kcat's ["k","v"]`, kind(raw))
	}
	if len(items) == 0 {
		return nil, nil
	}
	if items[0][0] == '{' {
		return objectHeaders(items)
	}
	return flatHeaders(items)
}

func objectHeaders(items []json.RawMessage) ([]Header, error) {
	out := make([]Header, len(items))
	for i, it := range items {
		if it[0] != '{' {
			return nil, fmt.Errorf(`header %d is a JSON %s; want {"key":"k","value":"v"}`, i+1, kind(it))
		}
		var h struct {
			Key           json.RawMessage `json:"key"`
			KeyEncoding   string          `json:"key_encoding"`
			Value         json.RawMessage `json:"value"`
			ValueEncoding string          `json:"value_encoding"`
		}
		if err := json.Unmarshal(it, &h); err != nil {
			return nil, fmt.Errorf("header %d: %w", i+1, jsonError(err))
		}
		k, err := optString("key", h.Key)
		if err != nil || k == nil {
			return nil, fmt.Errorf(`header %d: "key" must be a string`, i+1)
		}
		v, err := optString("value", h.Value)
		if err != nil {
			return nil, fmt.Errorf("header %q: %w", *k, err)
		}
		out[i] = Header{Key: *k, KeyEncoding: h.KeyEncoding, Value: v, ValueEncoding: h.ValueEncoding}
	}
	return out, nil
}

// flatHeaders reads kcat -J's header array: names and values alternate.
func flatHeaders(items []json.RawMessage) ([]Header, error) {
	if len(items)%2 != 0 {
		return nil, fmt.Errorf(`"headers" has %d items; kcat's form pairs them ["name","value",...]`, len(items))
	}
	out := make([]Header, 0, len(items)/2)
	for i := 0; i < len(items); i += 2 {
		k, err := optString("headers", items[i])
		if err != nil || k == nil {
			return nil, fmt.Errorf(`header name %d is a JSON %s; want a string (["name","value",...])`, i/2+1, kind(items[i]))
		}
		v, err := optString("headers", items[i+1])
		if err != nil {
			return nil, fmt.Errorf(`header %q: value is a JSON %s; want a string or null`, *k, kind(items[i+1]))
		}
		out = append(out, Header{Key: *k, Value: v})
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }

// kind names a JSON value's type for messages.
func kind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// jsonError turns encoding/json's errors into one short line.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, trimJSON(se.Error()))
	case errors.As(err, &te) && te.Field == "":
		return fmt.Errorf("invalid JSON record: a JSON %s, not an object", te.Value)
	case errors.As(err, &te):
		return fmt.Errorf("%q is a JSON %s; want a %s", te.Field, te.Value, goKind(te.Type.Kind().String()))
	}
	return fmt.Errorf("invalid JSON: %s", trimJSON(err.Error()))
}

func trimJSON(msg string) string {
	if len(msg) > 6 && msg[:6] == "json: " {
		return msg[6:]
	}
	return msg
}

// goKind names a Go kind the way a JSON user would.
func goKind(k string) string {
	switch k {
	case "int32", "int64", "int":
		return "number"
	}
	return k
}
