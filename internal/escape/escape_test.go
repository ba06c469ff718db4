package escape

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestSeparator(t *testing.T) {
	good := map[string][]byte{
		`\n`: {'\n'}, `\0`: {0}, `\t`: {'\t'}, `;`: []byte(";"), `a\\b`: []byte(`a\b`),
		`\x1e`: {0x1e}, `||`: []byte("||"), `\r\n`: []byte("\r\n"), `\xFFz`: {0xff, 'z'},
	}
	for in, want := range good {
		got, err := Separator("--delimiter", in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Separator(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{``, `\`, `\q`, `\x1`, `\xzz`, `a\`} {
		if _, err := Separator("--delimiter", in); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("Separator(%q): error %v, want a usage error", in, err)
		}
	}
}

func TestDecode(t *testing.T) {
	for in, want := range map[string]struct {
		b byte
		n int
	}{`n`: {'\n', 1}, `0x`: {0, 1}, `x41`: {'A', 3}, `\`: {'\\', 1}, `x0a0`: {'\n', 3}} {
		b, n, ok := Decode(in)
		if !ok || b != want.b || n != want.n {
			t.Errorf("Decode(%q) = %q, %d, %v; want %q, %d", in, b, n, ok, want.b, want.n)
		}
	}
	for _, in := range []string{``, `q`, `x`, `x4`, `xg1`} {
		if _, _, ok := Decode(in); ok {
			t.Errorf("Decode(%q) ok, want not", in)
		}
	}
}
