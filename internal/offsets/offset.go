package offsets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Offset is a Kafka offset that may be unknown: a partition without a
// committed offset, or a partition of a deleted topic. Unknown offsets are
// negative; they print as "-" and encode as JSON null.
type Offset int64

// NoOffset is the unknown offset.
const NoOffset Offset = -1

// Known reports whether o is an offset rather than "unknown".
func (o Offset) Known() bool { return o >= 0 }

// String returns the offset in decimal, or "-" when unknown.
func (o Offset) String() string { return optString(int64(o)) }

// MarshalJSON encodes the offset as a number, or null when unknown.
func (o Offset) MarshalJSON() ([]byte, error) { return optJSON(int64(o)), nil }

// UnmarshalJSON decodes a number, or null as [NoOffset].
func (o *Offset) UnmarshalJSON(b []byte) error {
	v, err := optParse(b)
	*o = Offset(v)
	return err
}

// Get returns m[tp], or NoOffset when tp is not in m.
func Get(m map[TopicPartition]Offset, tp TopicPartition) Offset {
	if o, ok := m[tp]; ok {
		return o
	}
	return NoOffset
}

// Lag is a count of offsets a consumer is behind, which may be unknown (a
// deleted topic, a partition whose watermarks could not be read). Unknown
// lag is negative; it prints as "-" and encodes as JSON null.
type Lag int64

// NoLag is the unknown lag.
const NoLag Lag = -1

// Known reports whether l is a count rather than "unknown".
func (l Lag) Known() bool { return l >= 0 }

// String returns the lag in decimal, or "-" when unknown.
func (l Lag) String() string { return optString(int64(l)) }

// MarshalJSON encodes the lag as a number, or null when unknown.
func (l Lag) MarshalJSON() ([]byte, error) { return optJSON(int64(l)), nil }

// UnmarshalJSON decodes a number, or null as [NoLag].
func (l *Lag) UnmarshalJSON(b []byte) error {
	v, err := optParse(b)
	*l = Lag(v)
	return err
}

func optString(v int64) string {
	if v < 0 {
		return "-"
	}
	return strconv.FormatInt(v, 10)
}

func optJSON(v int64) []byte {
	if v < 0 {
		return []byte("null")
	}
	return strconv.AppendInt(nil, v, 10)
}

func optParse(b []byte) (int64, error) {
	if bytes.Equal(b, []byte("null")) {
		return -1, nil
	}
	var v int64
	if err := json.Unmarshal(b, &v); err != nil {
		return -1, fmt.Errorf("want an integer or null, got %s", b)
	}
	if v < 0 {
		return -1, fmt.Errorf("negative value %d", v)
	}
	return v, nil
}
