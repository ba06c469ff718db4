package groups

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParseTime(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
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
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "2026-11-01T25:00:00Z", "-5"} {
		if _, err := ParseTime(bad, loc); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseTime(%q) error = %v, want a usage error", bad, err)
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

func TestParseTopicScope(t *testing.T) {
	good := map[string]TopicScope{
		"orders":       {Topic: "orders"},
		"orders:0":     {Topic: "orders", Partitions: []int32{0}},
		"orders:2, 0":  {Topic: "orders", Partitions: []int32{2, 0}},
		"a.b-c_d:1,11": {Topic: "a.b-c_d", Partitions: []int32{1, 11}},
	}
	for in, want := range good {
		if got, err := ParseTopicScope(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseTopicScope(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ":1", "t:", "t:x", "t:1,,2", "t:-1"} {
		if _, err := ParseTopicScope(bad); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseTopicScope(%q) error = %v, want a usage error", bad, err)
		}
	}
}

func TestParseStates(t *testing.T) {
	got, err := ParseStates("stable, EMPTY,preparingrebalance")
	if want := []string{StateStable, StateEmpty, StatePreparingRebalance}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseStates = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseStates("stable,sleepy"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("ParseStates(sleepy) error = %v, want a usage error", err)
	}
}
