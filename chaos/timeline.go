package chaos

import (
	"encoding/json"
	"time"

	"github.com/kq-dev/kq/internal/output"
)

// Timeline records what a [Runner] did, for the verify report.
type Timeline struct {
	// Seed is the schedule's seed; the same seed replays the same
	// windows.
	Seed uint64 `json:"seed"`
	// Events are the windows run, in order.
	Events []Event `json:"events"`
}

// Event is one window as it ran.
type Event struct {
	// Window is the window's index in the schedule.
	Window int
	// Kind is the fault's kind.
	Kind Kind
	// Fault is the fault's spelling, target included.
	Fault string
	// Target is the window's target; "" means every broker.
	Target string
	// PlannedStart and PlannedEnd are the schedule's offsets from the
	// start of the run.
	PlannedStart, PlannedEnd time.Duration
	// Start and End are when the fault was applied and healed.
	Start, End time.Time
	// Interrupted is set when the run ended inside the window, which was
	// then healed early.
	Interrupted bool
	// Error is why the fault could not be applied.
	Error string
	// HealError is why it could not be healed.
	HealError string
}

// eventJSON is the JSON form of an Event: snake_case, offsets in
// milliseconds, times in RFC 3339.
type eventJSON struct {
	Window         int       `json:"window"`
	Kind           Kind      `json:"kind"`
	Fault          string    `json:"fault"`
	Target         string    `json:"target,omitempty"`
	PlannedStartMS int64     `json:"planned_start_ms"`
	PlannedEndMS   int64     `json:"planned_end_ms"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Interrupted    bool      `json:"interrupted,omitempty"`
	Error          string    `json:"error,omitempty"`
	HealError      string    `json:"heal_error,omitempty"`
}

// MarshalJSON encodes the event with snake_case keys and offsets in
// milliseconds.
func (e Event) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(eventJSON{
		Window: e.Window, Kind: e.Kind, Fault: e.Fault, Target: e.Target,
		PlannedStartMS: e.PlannedStart.Milliseconds(), PlannedEndMS: e.PlannedEnd.Milliseconds(),
		Start: e.Start, End: e.End, Interrupted: e.Interrupted, Error: e.Error, HealError: e.HealError,
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Event{Window: j.Window, Kind: j.Kind, Fault: j.Fault, Target: j.Target,
		PlannedStart: time.Duration(j.PlannedStartMS) * time.Millisecond, PlannedEnd: time.Duration(j.PlannedEndMS) * time.Millisecond,
		Start: j.Start, End: j.End, Interrupted: j.Interrupted, Error: j.Error, HealError: j.HealError}
	return nil
}
