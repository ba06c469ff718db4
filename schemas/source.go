package schemas

import (
	"fmt"

	"github.com/kq-dev/kq/produce"
)

// NewEncodingSource returns a source that encodes the keys (with key) and
// values (with value) of src's records from JSON text to the wire format;
// either encoder may be nil. A null key or value stays null. A record that
// does not match its schema is a [*produce.InputError] at the record's
// position (bad input, exit 2; skipped with --skip-bad).
func NewEncodingSource(src produce.Source, key, value *Encoder) produce.Source {
	return &encodingSource{src: src, key: key, value: value}
}

type encodingSource struct {
	src        produce.Source
	key, value *Encoder
}

func (s *encodingSource) Next(r *produce.Record) error {
	if err := s.src.Next(r); err != nil {
		return err
	}
	var err error
	if r.Key, err = encodeField(s.key, r.Key); err != nil {
		return &produce.InputError{Pos: r.Pos, Err: fmt.Errorf("key: %w", err)}
	}
	if r.Value, err = encodeField(s.value, r.Value); err != nil {
		return &produce.InputError{Pos: r.Pos, Err: fmt.Errorf("value: %w", err)}
	}
	return nil
}

func encodeField(e *Encoder, b []byte) ([]byte, error) {
	if e == nil || b == nil {
		return b, nil
	}
	return e.Encode(b)
}
