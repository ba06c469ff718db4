package verify

import (
	"strings"

	"github.com/kq-dev/kq/chaos"
)

// FaultMode says where a run's faults come from.
type FaultMode uint8

const (
	// FaultsDefault schedules the semantics' own faults ([DefaultFaults]),
	// less those the run cannot apply (the report says which). It is the
	// zero value.
	FaultsDefault FaultMode = iota
	// FaultsNone schedules no fault: a clean baseline.
	FaultsNone
	// FaultsListed schedules the listed faults, each of which the run
	// must be able to apply.
	FaultsListed
)

// FaultChoice is which faults a run schedules. The zero value is
// [FaultsDefault].
type FaultChoice struct {
	// Mode says where the faults come from.
	Mode FaultMode
	// Listed are the faults of [FaultsListed].
	Listed []chaos.Fault
}

// ListedFaults is the choice of exactly faults (none when there are none).
func ListedFaults(faults ...chaos.Fault) FaultChoice {
	if len(faults) == 0 {
		return FaultChoice{Mode: FaultsNone}
	}
	return FaultChoice{Mode: FaultsListed, Listed: faults}
}

// ParseFaultChoice reads the faults setting: "" for the semantics'
// defaults, [NoFaults] for none, or a list [chaos.ParseFaults] reads.
// Errors are usage errors.
func ParseFaultChoice(s string) (FaultChoice, error) {
	switch s = strings.TrimSpace(s); s {
	case "":
		return FaultChoice{}, nil
	case NoFaults:
		return FaultChoice{Mode: FaultsNone}, nil
	}
	faults, err := chaos.ParseFaults(s)
	if err != nil {
		return FaultChoice{}, err
	}
	return ListedFaults(faults...), nil
}

// String spells the choice as [ParseFaultChoice] reads it back.
func (c FaultChoice) String() string {
	switch c.Mode {
	case FaultsNone:
		return NoFaults
	case FaultsListed:
		return spellFaults(c.Listed)
	}
	return ""
}

// MarshalText spells the choice (it travels in a worker plan so).
func (c FaultChoice) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a choice MarshalText wrote.
func (c *FaultChoice) UnmarshalText(b []byte) error {
	got, err := ParseFaultChoice(string(b))
	if err != nil {
		return err
	}
	*c = got
	return nil
}

// has reports whether the choice lists a fault of kind k.
func (c FaultChoice) has(k chaos.Kind) bool {
	for _, f := range c.Listed {
		if f.Kind == k {
			return true
		}
	}
	return false
}
