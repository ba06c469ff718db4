// Package record is kq's JSON form of a Kafka record: what `kq consume -o
// json` writes, one object per line, and `kq produce --input json` reads
// back, so that consuming and producing again reproduces key, value,
// headers, partition and timestamp, with null keys and values and binary
// data preserved.
//
// Keys, values, header keys and header values that are valid UTF-8 are
// carried as JSON strings; anything else is base64 with an explicit
// "<field>_encoding": "base64". A JSON null is a null key, value (tombstone) or header value.
// [Parse] also reads kcat -J's envelope ("payload", "ts", headers as a flat
// ["name","value",...] array) and requires every line to say what its
// value is.
//
//	{"topic":"orders","partition":2,"offset":41,"timestamp":1763884800000,
//	 "key":"k1","value":"hello","headers":[{"key":"trace","value":"abc"}]}
//	{"key":null,"value":"3q2+7w==","value_encoding":"base64"}
package record

import (
	"encoding/base64"
	"fmt"
	"unicode/utf8"
)

// EncodingBase64 is the value of an *_encoding field for base64 data.
const EncodingBase64 = "base64"

// Record is one record in kq's JSON form. Pointer fields are optional:
// nil means absent (for Partition, Offset, Timestamp) or null (for Key and
// Value).
type Record struct {
	// Topic is the record's topic (written by consume, ignored by produce,
	// which produces to the topic it is given).
	Topic string `json:"topic,omitempty"`
	// Partition is the record's partition; produce honours it when set.
	Partition *int32 `json:"partition,omitempty"`
	// Offset is the record's offset (consume only).
	Offset *int64 `json:"offset,omitempty"`
	// Timestamp is the record's timestamp in Unix milliseconds; produce
	// honours it when set.
	Timestamp *int64 `json:"timestamp,omitempty"`
	// Key is the key as text, or base64 when KeyEncoding says so; nil is a
	// null key.
	Key *string `json:"key"`
	// KeyEncoding is "" for UTF-8 text or "base64".
	KeyEncoding string `json:"key_encoding,omitempty"`
	// Value is the value as text, or base64 when ValueEncoding says so;
	// nil is a null value (a tombstone).
	Value *string `json:"value"`
	// ValueEncoding is "" for UTF-8 text or "base64".
	ValueEncoding string `json:"value_encoding,omitempty"`
	// Headers are the record headers in order (keys may repeat).
	Headers []Header `json:"headers,omitempty"`
}

// Header is one record header.
type Header struct {
	// Key is the header key as text, or base64 when KeyEncoding says so.
	Key string `json:"key"`
	// KeyEncoding is "" for UTF-8 text or "base64".
	KeyEncoding string `json:"key_encoding,omitempty"`
	// Value is the header value as text or base64; nil is a null value.
	Value *string `json:"value"`
	// ValueEncoding is "" for UTF-8 text or "base64".
	ValueEncoding string `json:"value_encoding,omitempty"`
}

// Encode returns b in JSON form: nil for nil, text for valid UTF-8, and
// base64 otherwise, with the encoding to put beside it.
func Encode(b []byte) (s *string, encoding string) {
	if b == nil {
		return nil, ""
	}
	if utf8.Valid(b) {
		t := string(b)
		return &t, ""
	}
	t := base64.StdEncoding.EncodeToString(b)
	return &t, EncodingBase64
}

// Decode is the inverse of [Encode].
func Decode(s *string, encoding string) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	switch encoding {
	case "":
		return []byte(*s), nil
	case EncodingBase64:
		b, err := base64.StdEncoding.DecodeString(*s)
		if err != nil {
			return nil, fmt.Errorf("invalid base64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (want base64 or none)", encoding)
}

// KeyBytes decodes the key (nil for a null key).
func (r *Record) KeyBytes() ([]byte, error) {
	b, err := Decode(r.Key, r.KeyEncoding)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	return b, nil
}

// ValueBytes decodes the value (nil for a null value).
func (r *Record) ValueBytes() ([]byte, error) {
	b, err := Decode(r.Value, r.ValueEncoding)
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	return b, nil
}

// SetKey sets the key from raw bytes.
func (r *Record) SetKey(b []byte) { r.Key, r.KeyEncoding = Encode(b) }

// SetValue sets the value from raw bytes.
func (r *Record) SetValue(b []byte) { r.Value, r.ValueEncoding = Encode(b) }

// AddHeader appends a header from raw bytes.
func (r *Record) AddHeader(key, value []byte) {
	h := Header{}
	if k, enc := Encode(key); k != nil {
		h.Key, h.KeyEncoding = *k, enc
	}
	h.Value, h.ValueEncoding = Encode(value)
	r.Headers = append(r.Headers, h)
}

// HeaderKeyBytes decodes header i's key.
func (r *Record) HeaderKeyBytes(i int) ([]byte, error) {
	h := &r.Headers[i]
	b, err := Decode(&h.Key, h.KeyEncoding)
	if err != nil {
		return nil, fmt.Errorf("header %d key: %w", i, err)
	}
	return b, nil
}

// HeaderBytes decodes header i's value.
func (r *Record) HeaderBytes(i int) ([]byte, error) {
	b, err := Decode(r.Headers[i].Value, r.Headers[i].ValueEncoding)
	if err != nil {
		return nil, fmt.Errorf("header %q: %w", r.Headers[i].Key, err)
	}
	return b, nil
}
