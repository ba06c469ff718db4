package produce

import (
	"bytes"
	"errors"
	"io"

	"github.com/kq-dev/kq/internal/setting"
)

// Template holds what records take from flags rather than from the input:
// a fixed key, headers, a partition, null values.
type Template struct {
	// Key is a fixed key for every record; nil means none.
	Key []byte
	// Headers are added to every record.
	Headers []Header
	// Partition, when set, is the partition of every record that does not
	// name its own.
	Partition *int32
	// Tombstone makes every value null; in text input each record is then
	// a key.
	Tombstone bool
}

func (t *Template) partition() int32 {
	if t.Partition == nil {
		return AnyPartition
	}
	return *t.Partition
}

// LineConfig configures a [NewLineSource].
type LineConfig struct {
	// Input names the input in positions ("" for standard input).
	Input string
	// Delimiter separates records; empty means a newline. The last record
	// needs no delimiter after it.
	Delimiter []byte
	// KeyDelimiter, when set, splits each record into key and value at its
	// first occurrence; a record without it has a null key.
	KeyDelimiter []byte
	// Template adds a fixed key, headers and partition.
	Template Template
	// MaxRecordBytes bounds a record; longer ones are an [*InputError].
	MaxRecordBytes int
	// StripCR drops one '\r' at the end of each record (CRLF input).
	StripCR bool
	// Empty says what an empty record (after StripCR) becomes.
	Empty EmptyRecords
}

// EmptyRecords says what a [NewLineSource] does with an empty record.
type EmptyRecords string

// The --empty values.
const (
	// EmptyKeep writes an empty record: an empty value (the default).
	EmptyKeep EmptyRecords = "keep"
	// EmptySkip skips empty records (their line numbers still count).
	EmptySkip EmptyRecords = "skip"
	// EmptyNull writes an empty record as a null value (a tombstone).
	EmptyNull EmptyRecords = "null"
)

// ParseEmptyRecords checks what to do with empty records (any case). An
// unknown value is a usage error.
func ParseEmptyRecords(s string) (EmptyRecords, error) {
	return setting.Parse("empty records", s, EmptyKeep, EmptySkip, EmptyNull)
}

// NewLineSource returns a source of delimited text records read from r.
// Record bytes are taken as they are unless StripCR drops a trailing '\r';
// an empty record is an empty value unless Empty says otherwise.
func NewLineSource(r io.Reader, c LineConfig) Source {
	if c.MaxRecordBytes <= 0 {
		c.MaxRecordBytes = DefaultSettings().MaxMessageBytes
	}
	newline := len(c.Delimiter) == 0 || bytes.Equal(c.Delimiter, []byte{'\n'})
	return &lineSource{sp: newSplitter(r, c.Delimiter, c.MaxRecordBytes), c: c, newline: newline}
}

type lineSource struct {
	sp      *splitter
	c       LineConfig
	newline bool
	n       int64
}

// Next implements [Source].
func (s *lineSource) Next(r *Record) error {
	rec, pos, err := s.nextRecord()
	if err != nil {
		return err
	}
	t := &s.c.Template
	*r = Record{Key: t.Key, Value: rec, Headers: t.Headers, Partition: t.partition(), Pos: pos}
	if len(s.c.KeyDelimiter) > 0 {
		r.Key, r.Value = nil, rec
		if k, v, ok := bytes.Cut(rec, s.c.KeyDelimiter); ok {
			r.Key, r.Value = k, v
		}
	}
	if t.Tombstone {
		r.Key, r.Value = rec, nil
	}
	if len(rec) == 0 && s.c.Empty == EmptyNull {
		r.Value = nil
	}
	return nil
}

// nextRecord returns the next record's bytes (with StripCR applied, empty
// ones skipped under EmptySkip) and position.
func (s *lineSource) nextRecord() ([]byte, Position, error) {
	for {
		rec, err := s.sp.next()
		if errors.Is(err, io.EOF) {
			return nil, Position{}, io.EOF
		}
		s.n++
		pos := Position{Input: s.c.Input, Index: s.n}
		if s.newline {
			pos.Line = s.n
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, pos, &InputError{Pos: pos, Err: err}
			}
			return nil, pos, err
		}
		if s.c.StripCR && len(rec) > 0 && rec[len(rec)-1] == '\r' {
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 0 && s.c.Empty == EmptySkip {
			continue
		}
		return rec, pos, nil
	}
}

// Concat returns a source that reads each source to its end in turn.
func Concat(srcs ...Source) Source { return &concat{srcs: srcs} }

type concat struct{ srcs []Source }

// Next implements [Source].
func (c *concat) Next(r *Record) error {
	for len(c.srcs) > 0 {
		err := c.srcs[0].Next(r)
		if !errors.Is(err, io.EOF) {
			return err
		}
		c.srcs = c.srcs[1:]
	}
	return io.EOF
}
