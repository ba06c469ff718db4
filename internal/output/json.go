package output

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON is json.Marshal without HTML escaping: kq's JSON is read by
// programs and people, not embedded in HTML, so <, > and & stay as they are.
func MarshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}
