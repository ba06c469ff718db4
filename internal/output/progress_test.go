package output

import (
	"bytes"
	"testing"
)

func TestProgress(t *testing.T) {
	var tty bytes.Buffer
	p := NewProgress(&tty, true, false)
	p.Show("a")
	p.Show("b")
	p.Done()
	if got, want := tty.String(), "\r\033[Ka\r\033[Kb\r\033[K"; got != want {
		t.Errorf("terminal: %q, want %q", got, want)
	}
	var plain bytes.Buffer
	p = NewProgress(&plain, false, true)
	p.Show("a")
	p.Show("b") // within the interval: not shown
	p.Done()
	if got := plain.String(); got != "a\n" {
		t.Errorf("verbose, no terminal: %q, want one plain line", got)
	}
	var quiet bytes.Buffer
	p = NewProgress(&quiet, false, false)
	p.Show("a")
	p.Done()
	if quiet.Len() != 0 {
		t.Errorf("quiet: %q, want nothing", quiet.String())
	}
}
