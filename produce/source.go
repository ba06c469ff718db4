package produce

import (
	"errors"
	"fmt"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// AnyPartition in [Record.Partition] lets the partitioner choose.
const AnyPartition int32 = -1

// Record is one record read from a [Source].
type Record struct {
	// Key is the key; nil is a null key.
	Key []byte
	// Value is the value; nil is a null value (a tombstone).
	Value []byte
	// Headers are the record's headers in order.
	Headers []Header
	// Partition is the partition to write to, or [AnyPartition].
	Partition int32
	// Timestamp is the record's timestamp; zero means the time it is
	// produced.
	Timestamp time.Time
	// Handed, when set, is when the source handed the record over, read
	// from time.Now's monotonic clock (a time derived from one by Add
	// will do): the producer's latency clock, and a zero Timestamp, start
	// there instead of at a clock reading of its own. A source that reads
	// the clock per record anyway spares the producer a second reading.
	Handed time.Time
	// Pos says where the record came from, for reports and errors.
	Pos Position
}

// handedSince is how long after start r was handed over: r.Handed's
// time since start, or the time since start now when r has none.
func handedSince(start time.Time, r *Record) time.Duration {
	if !r.Handed.IsZero() {
		return r.Handed.Sub(start)
	}
	return time.Since(start)
}

// Header is one record header.
type Header struct {
	// Key is the header key.
	Key []byte
	// Value is the header value; nil is a null value.
	Value []byte
}

// Size is the number of bytes of r's key, value and headers, the size
// checked against [Settings.MaxMessageBytes].
func (r *Record) Size() int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// Source yields records one at a time.
//
// Next fills r with the next record and returns nil, io.EOF at the end, an
// [*InputError] for a record that cannot be read (the source has moved past
// it, so Next may be called again to skip it), or another error when
// reading failed. The byte slices put in r belong to the source and are only
// valid until the next call: [Run] copies what it keeps. Next is called from
// one goroutine.
type Source interface {
	Next(r *Record) error
}

// Position locates a record in its input.
type Position struct {
	// Input names the input: a file name, or "" for standard input and
	// generated records.
	Input string
	// Line is the record's 1-based line number in line-based input (text
	// with the default newline delimiter, JSON); 0 otherwise.
	Line int64
	// Index is the record's 1-based number in its input.
	Index int64
}

// String returns "line 7", "events.json:7", "record 7" or
// "data.bin record 7".
func (p Position) String() string {
	switch {
	case p.Line > 0 && p.Input != "":
		return fmt.Sprintf("%s:%d", p.Input, p.Line)
	case p.Line > 0:
		return fmt.Sprintf("line %d", p.Line)
	case p.Input != "":
		return fmt.Sprintf("%s record %d", p.Input, p.Index)
	}
	return fmt.Sprintf("record %d", p.Index)
}

// InputError is a record that cannot be produced as given: malformed JSON,
// a bad encoding, a record over the size limit, a partition out of range.
// It matches kqerr.ErrUsage (exit code 2).
type InputError struct {
	// Pos is where the bad record is.
	Pos Position
	// Err says what is wrong with it.
	Err error
}

// Error returns "line 7: invalid JSON: ...".
func (e *InputError) Error() string { return e.Pos.String() + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

// Is makes an InputError match kqerr.ErrUsage.
func (e *InputError) Is(target error) bool { return target == kqerr.ErrUsage }

// errTooLarge is the cause of an InputError for an oversized record.
var errTooLarge = errors.New("record too large")

// tooLarge says a record of size bytes is over limit; a negative size
// means the record was not read to its end, so only the limit is known.
func tooLarge(size, limit int) error {
	if size < 0 {
		return kqerr.SettingErrorf("%w: more than {max message bytes} %d", errTooLarge, limit)
	}
	return kqerr.SettingErrorf("%w: %d bytes, more than {max message bytes} %d", errTooLarge, size, limit)
}
