package consume

import (
	"strconv"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/timestamp"
)

// OffsetKind says how an [OffsetSpec] picks an offset in each partition.
type OffsetKind int

// The offset kinds. The zero value is [Earliest].
const (
	// Earliest is the partition's log start offset.
	Earliest OffsetKind = iota
	// Latest is the partition's end: the last stable offset under
	// read_committed, the high watermark under read_uncommitted.
	Latest
	// Exact is the offset N, clamped to the partition's range.
	Exact
	// FromEnd is N offsets before the end (at least the log start).
	FromEnd
	// FromStart is N offsets after the log start (at most the end).
	FromStart
	// Timestamp is the first offset whose record timestamp is at or after
	// Time (the end when there is none).
	Timestamp
)

// OffsetSpec is a parsed --from or --until value.
type OffsetSpec struct {
	// Kind says how the offset is found.
	Kind OffsetKind
	// N is the offset (Exact) or the distance (FromEnd, FromStart).
	N int64
	// Time is the timestamp (Timestamp only).
	Time time.Time
}

// String returns the spec in the form ParseOffsetSpec reads (timestamps as
// RFC3339 in UTC with milliseconds).
func (s OffsetSpec) String() string {
	switch s.Kind {
	case Latest:
		return "latest"
	case Exact:
		return strconv.FormatInt(s.N, 10)
	case FromEnd:
		return "-" + strconv.FormatInt(s.N, 10)
	case FromStart:
		return "+" + strconv.FormatInt(s.N, 10)
	case Timestamp:
		return "@" + s.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	return "earliest"
}

// IsEnd reports whether the spec is a plain earliest or latest, the only
// starts a consumer group can take for partitions it has no committed
// offset for.
func (s OffsetSpec) IsEnd() bool { return s.Kind == Earliest || s.Kind == Latest }

const fromSyntax = "earliest, latest, OFFSET, -N, +N, @TIMESTAMP (RFC3339, a date, unix ms) or @-DURATION"

// ParseOffsetSpec parses a start position: earliest (or beginning), latest
// (or end), OFFSET, -N (N before the end), +N (N after the start),
// @TIMESTAMP (RFC3339 or unix milliseconds) or @-DURATION (that long
// before now). Errors match kqerr.ErrUsage.
func ParseOffsetSpec(s string, now time.Time) (OffsetSpec, error) {
	switch s {
	case "earliest", "beginning":
		return OffsetSpec{Kind: Earliest}, nil
	case "latest", "end":
		return OffsetSpec{Kind: Latest}, nil
	}
	if s == "" {
		return OffsetSpec{}, kqerr.Usagef("empty offset (want %s)", fromSyntax)
	}
	switch s[0] {
	case '@':
		return parseTimeSpec(s, now)
	case '-', '+':
		n, ok := parseCount(s[1:])
		if !ok {
			return OffsetSpec{}, kqerr.Usagef("invalid offset %q (want %s)", s, fromSyntax)
		}
		if s[0] == '-' {
			return OffsetSpec{Kind: FromEnd, N: n}, nil
		}
		return OffsetSpec{Kind: FromStart, N: n}, nil
	}
	n, ok := parseCount(s)
	if !ok {
		return OffsetSpec{}, kqerr.Usagef("invalid offset %q (want %s)", s, fromSyntax)
	}
	return OffsetSpec{Kind: Exact, N: n}, nil
}

// ParseUntil parses a stop position: OFFSET, @TIMESTAMP (RFC3339 or unix
// milliseconds) or @-DURATION. Errors match kqerr.ErrUsage.
func ParseUntil(s string, now time.Time) (OffsetSpec, error) {
	if strings.HasPrefix(s, "@") {
		return parseTimeSpec(s, now)
	}
	n, ok := parseCount(s)
	if !ok {
		return OffsetSpec{}, kqerr.Usagef("invalid stop offset %q (want OFFSET, @TIMESTAMP or @-DURATION)", s)
	}
	return OffsetSpec{Kind: Exact, N: n}, nil
}

// parseTimeSpec parses "@TIME" in the grammar of package
// internal/timestamp.
func parseTimeSpec(s string, now time.Time) (OffsetSpec, error) {
	t, err := timestamp.Parse(s[1:], now)
	if err != nil {
		return OffsetSpec{}, err
	}
	return OffsetSpec{Kind: Timestamp, Time: t}, nil
}

// parseCount parses a non-negative decimal integer made of digits only.
func parseCount(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
