package timestamp

import (
	"errors"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParse(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, loc)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-11-01T00:00:00Z", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-11-01T01:00:00.5+01:00", time.Date(2026, 11, 1, 0, 0, 0, 5e8, time.UTC)},
		{"2026-11-01T00:00:00.000", time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"2026-11-01 08:30:00", time.Date(2026, 11, 1, 8, 30, 0, 0, loc)},
		{"2026-11-01T08:30", time.Date(2026, 11, 1, 8, 30, 0, 0, loc)},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"1700000000123", time.UnixMilli(1700000000123)},
		{"0", time.UnixMilli(0)},
		{"-15m", now.Add(-15 * time.Minute)},
		{"-PT1H", now.Add(-time.Hour)},
		{" -2h30m ", now.Add(-150 * time.Minute)},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "2026-11-01T25:00:00Z", "-5", "-", "-0s", "--1h", "+1h", "1e3", "0x10", "99999999999999999999", "270000000000000", "253402300800000"} {
		if _, err := Parse(bad, now); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("Parse(%q) error = %v, want a usage error", bad, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := map[string]time.Duration{
		"1h30m":     90 * time.Minute,
		"45s":       45 * time.Second,
		"PT1H30M":   90 * time.Minute,
		"pt15m":     15 * time.Minute,
		"P1D":       24 * time.Hour,
		"P1DT2H":    26 * time.Hour,
		"PT0.5S":    500 * time.Millisecond,
		"PT1H2M3S":  time.Hour + 2*time.Minute + 3*time.Second,
		" 10m ":     10 * time.Minute,
		"P2DT0H10M": 48*time.Hour + 10*time.Minute,
	}
	for in, want := range tests {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "P1DT", "1 hour", "-5m", "0s", "PT0S", "P1W"} {
		if _, err := ParseDuration(bad); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseDuration(%q) error = %v, want a usage error", bad, err)
		}
	}
}
