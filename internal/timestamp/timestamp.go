// Package timestamp is kq's one grammar for points in time and durations
// given on the command line: consume --from/--until @TIME, offsets --at,
// groups reset --to-datetime and --by-duration all parse through it.
package timestamp

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Syntax names the accepted timestamp forms, for error messages and help.
const Syntax = "RFC 3339 (2026-11-01T00:00:00Z), a local date-time (2026-11-01T00:00:00), a date (2026-11-01), epoch milliseconds, or -DURATION before now (-15m, -PT1H)"

// localLayouts are the timestamp forms without a zone, read in the caller's
// location; Kafka's tools write the first.
var localLayouts = [...]string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// Parse parses a timestamp given on the command line: RFC 3339
// ("2026-11-01T00:00:00Z", "2026-11-01T01:00:00+01:00", fractional seconds
// allowed), a date-time without zone ("2026-11-01T00:00:00.000", as
// kafka-consumer-groups takes it, or with a space) or a date, both read in
// now's location, milliseconds since the Unix epoch, or "-DURATION" (see
// [ParseDuration]) before now. Anything else is a usage error naming the
// accepted forms.
func Parse(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutPrefix(s, "-"); ok {
		dur, err := ParseDuration(d)
		if err != nil {
			return time.Time{}, kqerr.Usagef("bad timestamp %q: -DURATION wants a positive duration such as -15m, -2h30m or -PT1H", s)
		}
		return now.Add(-dur), nil
	}
	if s != "" && strings.TrimLeft(s, "0123456789") == "" {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms <= maxEpochMs {
			return time.UnixMilli(ms), nil
		}
		return time.Time{}, kqerr.Usagef("bad timestamp %q: epoch milliseconds past the year 9999", s)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, kqerr.Usagef("bad timestamp %q: want %s", s, Syntax)
}

// maxEpochMs is the last millisecond of the year 9999, the latest
// timestamp RFC 3339 (and so kq's output) can write.
const maxEpochMs = 253402300799999

// isoDuration matches the ISO-8601 durations kafka-consumer-groups takes
// for --by-duration: PnDTnHnMnS with every part optional.
// It is compiled on first use, not at every kq process's start.
var isoDuration = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
})

// isoUnits are the units of isoDuration's groups, in order.
var isoUnits = [...]time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second}

// ParseDuration parses a positive duration: Go form ("1h30m", "90s") or
// ISO 8601 ("PT1H30M", "P1DT12H"), as kafka-consumer-groups.sh reads a reset's duration
// takes it. Anything else is a usage error.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		var ok bool
		if d, ok = parseISODuration(strings.ToUpper(s)); !ok {
			return 0, kqerr.Usagef("bad duration %q: want Go form (1h30m) or ISO 8601 (PT1H30M)", s)
		}
	}
	if d <= 0 {
		return 0, kqerr.Usagef("bad duration %q: must be positive", s)
	}
	return d, nil
}

func parseISODuration(s string) (time.Duration, bool) {
	m := isoDuration().FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, false
	}
	var d time.Duration
	for i, part := range m[1:] {
		if part == "" {
			continue
		}
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, false
		}
		d += time.Duration(v * float64(isoUnits[i]))
	}
	return d, true
}
