package kqerr

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func flagSpell(s string) string { return "--" + strings.ReplaceAll(s, " ", "-") }

func TestSettingErrorNamesSettingsInWords(t *testing.T) {
	err := Settingf("{fault duration} must be positive, got %v {{kept}", "0s")
	if got := err.Error(); got != "fault duration must be positive, got 0s {kept}" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, ErrUsage) {
		t.Error("Settingf is not a usage error")
	}
	wrapped := fmt.Errorf("verify: %w", err)
	if got := RenderSettings(wrapped, flagSpell); got != "verify: --fault-duration must be positive, got 0s {kept}" {
		t.Errorf("RenderSettings = %q", got)
	}
	// A value's braces are not settings: only the format is spelled.
	if got := RenderSettings(Settingf("bad {topic} %q", "{x}"), flagSpell); got != `bad --topic "{x}"` {
		t.Errorf("a value with braces: %q", got)
	}
}

func TestSettingErrorfWrapsAndKeepsItsKind(t *testing.T) {
	err := SettingErrorf("%w: no answer (set {brokers}): %w", ErrUnreachable, io.EOF)
	if errors.Is(err, ErrUsage) || !errors.Is(err, ErrUnreachable) || !errors.Is(err, io.EOF) {
		t.Errorf("kinds of %v: usage %v, unreachable %v, EOF %v", err, errors.Is(err, ErrUsage), errors.Is(err, ErrUnreachable), errors.Is(err, io.EOF))
	}
	if got := RenderSettings(err, flagSpell); got != "cluster unreachable: no answer (set --brokers): EOF" {
		t.Errorf("RenderSettings = %q", got)
	}
	if got := RenderSettings(errors.New("plain --x"), flagSpell); got != "plain --x" {
		t.Errorf("an error without settings changed: %q", got)
	}
}

func TestSettingText(t *testing.T) {
	n := SettingText("drop {replica lag} 0")
	if n.String() != "drop replica lag 0" || n.Render(flagSpell) != "drop --replica-lag 0" {
		t.Errorf("String %q, Render %q", n.String(), n.Render(flagSpell))
	}
	if b, _ := n.MarshalText(); string(b) != "drop replica lag 0" {
		t.Errorf("MarshalText = %q", b)
	}
	if p := PlainText("a {b} c"); p.Render(flagSpell) != "a {b} c" {
		t.Errorf("PlainText rendered %q", p.Render(flagSpell))
	}
}
