package verify_test

import (
	"testing"

	"github.com/kq-dev/kq/verify"
)

func TestFaultChoiceSpellings(t *testing.T) {
	for in, want := range map[string]struct {
		mode   verify.FaultMode
		listed int
		spell  string
	}{
		"":                              {verify.FaultsDefault, 0, ""},
		" none ":                        {verify.FaultsNone, 0, "none"},
		"drop-response,leader-move":     {verify.FaultsListed, 2, "drop-response,leader-move"},
		"latency,delay=5ms,p=0.5":       {verify.FaultsListed, 1, "latency,p=0.5,delay=5ms"},
		"exec,crash-consumer,partition": {verify.FaultsListed, 3, "exec,crash-consumer,partition"},
	} {
		c, err := verify.ParseFaultChoice(in)
		if err != nil || c.Mode != want.mode || len(c.Listed) != want.listed || c.String() != want.spell {
			t.Errorf("%q: %+v (%q), %v; want mode %d, %d listed, %q", in, c, c.String(), err, want.mode, want.listed, want.spell)
		}
		back, err := verify.ParseFaultChoice(c.String())
		if err != nil || back.String() != c.String() || back.Mode != c.Mode {
			t.Errorf("%q does not read back: %+v, %v", c.String(), back, err)
		}
	}
	if c := verify.ListedFaults(); c.Mode != verify.FaultsNone {
		t.Errorf("no listed faults = %+v, want none", c)
	}
}
