package consume

import (
	"errors"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

func TestParseOffsetSpec(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want OffsetSpec
	}{
		{"earliest", OffsetSpec{Kind: Earliest}},
		{"beginning", OffsetSpec{Kind: Earliest}},
		{"latest", OffsetSpec{Kind: Latest}},
		{"end", OffsetSpec{Kind: Latest}},
		{"0", OffsetSpec{Kind: Exact, N: 0}},
		{"1234", OffsetSpec{Kind: Exact, N: 1234}},
		{"-10", OffsetSpec{Kind: FromEnd, N: 10}},
		{"+3", OffsetSpec{Kind: FromStart, N: 3}},
		{"@1763884800000", OffsetSpec{Kind: Timestamp, Time: time.UnixMilli(1763884800000)}},
		{"@2026-01-02T15:04:05Z", OffsetSpec{Kind: Timestamp, Time: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)}},
		{"@2026-01-02T15:04:05.5+02:00", OffsetSpec{Kind: Timestamp, Time: time.Date(2026, 1, 2, 13, 4, 5, 5e8, time.UTC)}},
		{"@2026-11-28", OffsetSpec{Kind: Timestamp, Time: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}},
		{"@2026-11-28 10:30:00", OffsetSpec{Kind: Timestamp, Time: time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)}},
		{"@-PT1H", OffsetSpec{Kind: Timestamp, Time: now.Add(-time.Hour)}},
		{"@-15m", OffsetSpec{Kind: Timestamp, Time: now.Add(-15 * time.Minute)}},
		{"@-2h30m", OffsetSpec{Kind: Timestamp, Time: now.Add(-150 * time.Minute)}},
	} {
		got, err := ParseOffsetSpec(tc.in, now)
		if err != nil {
			t.Errorf("ParseOffsetSpec(%q): %v", tc.in, err)
			continue
		}
		if got.Kind != tc.want.Kind || got.N != tc.want.N || !got.Time.Equal(tc.want.Time) {
			t.Errorf("ParseOffsetSpec(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseOffsetSpecErrors(t *testing.T) {
	now := time.Now()
	for _, in := range []string{
		"", "first", "-", "+", "--1", "-x", "+-1", "1.5", " 1", "0x10", "1e3",
		"99999999999999999999", "@", "@-", "@-0s", "@--1h", "@-1x", "@yesterday",
		"@2026-13-02T00:00:00Z", "@-1", "@+1h",
	} {
		_, err := ParseOffsetSpec(in, now)
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseOffsetSpec(%q) err = %v, want a usage error", in, err)
		}
	}
}

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if s, err := ParseUntil("42", now); err != nil || s.Kind != Exact || s.N != 42 {
		t.Errorf("ParseUntil(42) = %+v, %v", s, err)
	}
	if s, err := ParseUntil("@-1h", now); err != nil || s.Kind != Timestamp || !s.Time.Equal(now.Add(-time.Hour)) {
		t.Errorf("ParseUntil(@-1h) = %+v, %v", s, err)
	}
	for _, in := range []string{"", "latest", "earliest", "-5", "+5", "@soon", "x"} {
		if _, err := ParseUntil(in, now); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseUntil(%q) err = %v, want a usage error", in, err)
		}
	}
}

func TestOffsetSpecStringRoundTrips(t *testing.T) {
	now := time.Now()
	for _, in := range []string{"earliest", "latest", "17", "-4", "+9", "@2026-01-02T15:04:05.123Z"} {
		s, err := ParseOffsetSpec(in, now)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != in {
			t.Errorf("String() = %q, want %q", s.String(), in)
		}
	}
}

func TestParsePartitions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int32
	}{
		{"0", []int32{0}},
		{"2,0", []int32{0, 2}},
		{"1-3", []int32{1, 2, 3}},
		{"5, 0-1 ,1", []int32{0, 1, 5}},
		{"4-4", []int32{4}},
	} {
		got, err := ParsePartitions(tc.in)
		if err != nil || !equalInt32(got, tc.want) {
			t.Errorf("ParsePartitions(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", " ", "a", "1,", ",1", "-1", "3-1", "1-", "-", "1-2-3", "1.0", "2000000000", "0-99999999"} {
		if _, err := ParsePartitions(in); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParsePartitions(%q) err = %v, want a usage error", in, err)
		}
	}
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseEnums(t *testing.T) {
	if i, err := setting.ParseIsolation("read_uncommitted"); err != nil || i != setting.ReadUncommitted {
		t.Errorf("setting.ParseIsolation = %v, %v", i, err)
	}
	if b, err := ParseBalance("sticky"); err != nil || b != BalanceSticky {
		t.Errorf("ParseBalance = %v, %v", b, err)
	}
	if m, err := ParseCommitMode("before"); err != nil || m != setting.CommitBefore {
		t.Errorf("ParseCommitMode = %v, %v", m, err)
	}
	for name, err := range map[string]error{
		"isolation": second(setting.ParseIsolation("committed")),
		"balance":   second(ParseBalance("cooperative")),
		"commit":    second(ParseCommitMode("sometimes")),
	} {
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: err = %v, want a usage error", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestValidate(t *testing.T) {
	until := OffsetSpec{Kind: Latest}
	for name, o := range map[string]Options{
		"no topic":         {},
		"empty topic":      {Topics: []string{""}},
		"negative count":   {Topics: []string{"t"}, Count: -1},
		"negative idle":    {Topics: []string{"t"}, IdleTimeout: -time.Second},
		"until latest":     {Topics: []string{"t"}, Until: &until},
		"group partitions": {Topics: []string{"t"}, Group: "g", Partitions: []int32{0}},
		"group exact from": {Topics: []string{"t"}, Group: "g", From: OffsetSpec{Kind: Exact, N: 3}},
	} {
		if err := o.Validate(); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: Validate() = %v, want a usage error", name, err)
		}
	}
	ok := Options{Topics: []string{"t"}, Group: "g", From: OffsetSpec{Kind: Latest}, Exit: true}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid group options: %v", err)
	}
}
