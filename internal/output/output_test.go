package output

import (
	"errors"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestTable(t *testing.T) {
	s, _, out, _ := Test()
	p := NewPrinter(s, Table, ColorAuto)
	if err := p.Table([]string{"topic", "partitions"}, [][]string{{"orders", "3"}, {"a-much-longer-name", "12"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header and 2 rows, got %q", out.String())
	}
	if !strings.HasPrefix(lines[0], "TOPIC") || !strings.Contains(lines[0], "PARTITIONS") {
		t.Errorf("header = %q", lines[0])
	}
	// Columns line up: the second column starts at the same place in every row.
	col := strings.Index(lines[0], "PARTITIONS")
	for _, l := range lines[1:] {
		if len(l) <= col || l[col] == ' ' || l[col-1] != ' ' {
			t.Errorf("row %q does not align with header column at %d", l, col)
		}
	}
	if strings.ContainsAny(out.String(), "|+-─│") && !strings.Contains(out.String(), "a-much-longer-name") {
		t.Errorf("table has borders: %q", out.String())
	}
}

func TestJSON(t *testing.T) {
	s, _, out, _ := Test()
	p := NewPrinter(s, JSON, ColorAuto)
	if err := p.JSON(map[string]int{"high_watermark": 3}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "{\n  \"high_watermark\": 3\n}\n" {
		t.Errorf("JSON = %q", got)
	}
}

func TestColor(t *testing.T) {
	s, _, _, _ := Test()
	if p := NewPrinter(s, Table, ColorAuto); p.Color || p.Good("ok") != "ok" {
		t.Error("colour on for a non-terminal in auto mode")
	}
	s.SetTTY(false, true, true)
	if p := NewPrinter(s, Table, ColorAuto); !p.Color || p.Good("ok") == "ok" {
		t.Error("colour off for a terminal in auto mode")
	}
	s.noColorEnv = true
	if p := NewPrinter(s, Table, ColorAuto); p.Color {
		t.Error("colour on with NO_COLOR set")
	}
	if p := NewPrinter(s, Table, ColorAlways); !p.Color || !strings.Contains(p.Bad("x"), "\x1b[") {
		t.Error("--color always did not colour")
	}
	s.noColorEnv = false
	if p := NewPrinter(s, Table, ColorNever); p.Color {
		t.Error("--color never coloured")
	}
}

func TestParse(t *testing.T) {
	if f, err := ParseFormat("json"); err != nil || f != JSON {
		t.Errorf("ParseFormat(json) = %v, %v", f, err)
	}
	if _, err := ParseFormat("yaml"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("ParseFormat(yaml) err = %v, want usage error", err)
	}
	if _, err := ParseFormat("raw", Table, JSON, "raw"); err != nil {
		t.Errorf("extra allowed format rejected: %v", err)
	}
	if _, err := ParseColorMode("sometimes"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("ParseColorMode err = %v", err)
	}
	if m, err := ParseColorMode("Always"); err != nil || m != ColorAlways {
		t.Errorf("ParseColorMode(Always) = %q, %v; want always", m, err)
	}
}

func TestJSONDoesNotEscapeHTML(t *testing.T) {
	s, _, out, _ := Test()
	if err := NewPrinter(s, JSON, ColorAuto).JSON(map[string]string{"v": "<a&b>"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"v": "<a&b>"`) {
		t.Errorf("Printer.JSON = %q, want <a&b> unescaped", out.String())
	}
	b, err := MarshalJSON(struct{ V string }{"x<y>&z"})
	if err != nil || string(b) != `{"V":"x<y>&z"}` {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
}
