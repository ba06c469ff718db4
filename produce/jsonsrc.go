package produce

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kq-dev/kq/internal/record"
)

// JSONConfig configures a [NewJSONSource].
type JSONConfig struct {
	// Input names the input in positions ("" for standard input).
	Input string
	// Partition, when set, is the partition of records without one, or of
	// every record with IgnorePartition.
	Partition *int32
	// IgnorePartition drops the records' own partitions: every record goes
	// to Partition, or where the partitioner puts it (the command line's
	// -p or --partitioner wins over the record's partition).
	IgnorePartition bool
	// MaxRecordBytes bounds a JSON line; longer ones are an [*InputError].
	MaxRecordBytes int
}

// NewJSONSource returns a source of kq's JSON records (package record), one
// object per line, as `kq consume -o json` writes them. Blank lines are
// skipped; the topic and offset fields are ignored. Since base64 and JSON
// escapes make a line longer than its record, MaxRecordBytes is applied to
// the line with room for that (four thirds plus 1 KB).
func NewJSONSource(r io.Reader, c JSONConfig) Source {
	if c.MaxRecordBytes <= 0 {
		c.MaxRecordBytes = DefaultSettings().MaxMessageBytes
	}
	lineMax := c.MaxRecordBytes/3*4 + 1024
	return &jsonSource{sp: newSplitter(r, nil, lineMax), c: c}
}

type jsonSource struct {
	sp   *splitter
	c    JSONConfig
	line int64
	hdrs []Header
}

// Next implements [Source].
func (s *jsonSource) Next(r *Record) error {
	for {
		line, err := s.sp.next()
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		s.line++
		pos := Position{Input: s.c.Input, Line: s.line, Index: s.line}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return &InputError{Pos: pos, Err: err}
			}
			return err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := s.decode(line, r); err != nil {
			return &InputError{Pos: pos, Err: err}
		}
		r.Pos = pos
		return nil
	}
}

// decode fills r from one JSON line.
func (s *jsonSource) decode(line []byte, r *Record) error {
	jr, err := record.Parse(line)
	if err != nil {
		return err
	}
	*r = Record{Partition: AnyPartition}
	if s.c.Partition != nil {
		r.Partition = *s.c.Partition
	}
	if jr.Partition != nil && !s.c.IgnorePartition {
		if *jr.Partition < 0 {
			return fmt.Errorf("partition %d is negative", *jr.Partition)
		}
		r.Partition = *jr.Partition
	}
	if jr.Timestamp != nil {
		r.Timestamp = time.UnixMilli(*jr.Timestamp)
	}
	// Parse has checked every encoding, so these cannot fail.
	r.Key, _ = jr.KeyBytes()
	r.Value, _ = jr.ValueBytes()
	s.hdrs = s.hdrs[:0]
	for i := range jr.Headers {
		k, _ := jr.HeaderKeyBytes(i)
		v, _ := jr.HeaderBytes(i)
		s.hdrs = append(s.hdrs, Header{Key: k, Value: v})
	}
	r.Headers = s.hdrs
	return nil
}
