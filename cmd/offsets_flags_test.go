package cmd

import (
	"errors"
	"testing"
	"time"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/kqerr"
)

// TestTimeFlagsShareOneGrammar: kq offsets --at and kq consume --from @
// read the same timestamp forms (internal/timestamp), through the runF
// seams.
func TestTimeFlagsShareOneGrammar(t *testing.T) {
	for _, at := range []string{"2026-11-01", "2026-11-01T08:00:00", "2026-11-01T00:00:00Z", "1793491200000", "-15m"} {
		got, err := parseOptions(t, NewCmdOffsets, "orders", "--at", at)
		if err != nil || got == nil || got.At == nil {
			t.Errorf("offsets --at %s: %v", at, err)
			continue
		}
		co, err := parseConsume(t, "orders", "--from", "@"+at)
		if err != nil || co.From.Kind != consume.Timestamp {
			t.Errorf("consume --from @%s: %+v, %v", at, co.From, err)
			continue
		}
		if at != "-15m" && !co.From.Time.Equal(*got.At) {
			t.Errorf("%s: consume reads %v, offsets %v", at, co.From.Time, *got.At)
		}
		if at == "-15m" && time.Since(co.From.Time) < 15*time.Minute {
			t.Errorf("-15m read as %v", co.From.Time)
		}
	}
	f, _ := testFactory()
	err := execute(NewCmdOffsets(f, func(*OffsetsOptions) error { return nil }), []string{"orders", "--at", "yesterday"})
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("offsets --at yesterday: %v, want a usage error", err)
	}
	if _, err := parseConsume(t, "orders", "--from", "@yesterday"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("consume --from @yesterday: %v, want a usage error", err)
	}
}
