package chaos

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kq-dev/kq/internal/output"
)

// faultJSON is the JSON form of a Fault: snake_case keys, API and error
// names instead of numbers, durations as Go duration strings.
type faultJSON struct {
	Kind        Kind     `json:"kind"`
	APIs        []string `json:"apis,omitempty"`
	Target      string   `json:"target,omitempty"`
	Probability float64  `json:"probability,omitempty"`
	Delay       string   `json:"delay,omitempty"`
	Jitter      string   `json:"jitter,omitempty"`
	Rate        int64    `json:"rate,omitempty"`
	ErrorCode   string   `json:"error_code,omitempty"`
	Count       int      `json:"count,omitempty"`
}

// MarshalJSON encodes f with snake_case keys; zero parameters are left
// out.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Kind: f.Kind, Target: f.Target, Probability: f.Probability, Rate: f.Rate, Count: f.Count}
	for _, k := range f.APIs {
		j.APIs = append(j.APIs, APIName(k))
	}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	if f.Jitter != 0 {
		j.Jitter = f.Jitter.String()
	}
	if f.ErrorCode != 0 {
		j.ErrorCode = ErrorName(f.ErrorCode)
	}
	return output.MarshalJSON(j)
}

// UnmarshalJSON decodes the form MarshalJSON writes and validates it.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	g := Fault{Kind: j.Kind, Target: j.Target, Probability: j.Probability, Rate: j.Rate, Count: j.Count}
	var err error
	for _, name := range j.APIs {
		k, perr := ParseAPI(name)
		g.APIs, err = append(g.APIs, k), perr
		if err != nil {
			return err
		}
	}
	if g.Delay, err = optDuration("delay", j.Delay); err != nil {
		return err
	}
	if g.Jitter, err = optDuration("jitter", j.Jitter); err != nil {
		return err
	}
	if j.ErrorCode != "" {
		if g.ErrorCode, err = ParseErrorCode(j.ErrorCode); err != nil {
			return err
		}
	}
	if err := g.Validate(); err != nil {
		return err
	}
	*f = g
	return nil
}

func optDuration(key, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := parseDuration(key, s)
	if err != nil {
		return 0, fmt.Errorf("fault json: %w", err)
	}
	return d, nil
}
