package verify

import (
	"strconv"
	"strings"

	"github.com/kq-dev/kq/verify/check"
)

// Settings are everything a run does: the semantics judged, the client
// configuration (a preset with the user's overrides), the workload and the
// fault plan. They are printed in the report and written to the history's
// meta line.
type Settings struct {
	// Semantics is the guarantee the verdict judges.
	Semantics check.Semantics `json:"semantics"`
	Client
	// Overridden names the client settings that differ from the preset.
	Overridden []string `json:"overridden"`
	// Workload is the message stream.
	Workload Workload `json:"workload"`
	// Faults is the fault plan.
	Faults FaultPlan `json:"faults"`
}

// Resolve turns options into settings: the preset of opts.Semantics
// (at-least-once when empty), the overrides applied, workload defaults
// filled in and the fault plan chosen (see [FaultPlan]). Errors are usage
// errors.
func Resolve(opts Options) (Settings, error) {
	return resolve(opts, opts.Broker != nil)
}

// Validate reports what [Resolve] would reject in opts, for a run on the
// built-in broker when builtIn is set even though opts.Broker is not yet:
// a command checks every setting before it starts a broker.
func Validate(opts Options, builtIn bool) error {
	_, err := resolve(opts, builtIn || opts.Broker != nil)
	return err
}

// resolve is Resolve, with broker faults allowed when builtIn is set.
func resolve(opts Options, builtIn bool) (Settings, error) {
	sem := opts.Semantics
	if sem == "" {
		sem = check.AtLeastOnce
	}
	sem, err := check.ParseSemantics(string(sem))
	if err != nil {
		return Settings{}, err
	}
	preset, _ := Preset(sem)
	c, changed := opts.Overrides.apply(preset)
	if err := c.validate(); err != nil {
		return Settings{}, err
	}
	workers := 1
	if opts.Worker != nil {
		workers = opts.Worker.Count
	}
	w := opts.Workload.withDefaults(c.Pipeline(), workers)
	if err := w.validate(); err != nil {
		return Settings{}, err
	}
	plan, err := planFaults(opts, sem, c.Pipeline(), builtIn)
	if err != nil {
		return Settings{}, err
	}
	return Settings{Semantics: sem, Client: c, Overridden: nonNil(changed), Workload: w, Faults: plan}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Map flattens the settings into the string map of a history meta event.
func (s Settings) Map() map[string]string {
	w := s.Workload
	m := map[string]string{
		"acks":           string(s.Acks),
		"idempotent":     strconv.FormatBool(s.Idempotent),
		"retries":        strconv.Itoa(s.Retries),
		"max_in_flight":  strconv.Itoa(s.MaxInFlight),
		"commit":         string(s.Commit),
		"isolation":      string(s.Isolation),
		"auto_commit":    strconv.FormatBool(s.AutoCommit),
		"producers":      strconv.Itoa(w.Producers),
		"consumers":      strconv.Itoa(w.Consumers),
		"partitions":     strconv.Itoa(w.Partitions),
		"size":           strconv.Itoa(w.Size),
		"faults":         s.Faults.Spec,
		"fault_interval": s.Faults.Interval.String(),
		"fault_duration": s.Faults.Duration.String(),
		"seed":           strconv.FormatUint(s.Faults.Seed, 10),
	}
	if w.Duration > 0 {
		m["duration"] = w.Duration.String()
	} else {
		m["messages"] = strconv.FormatInt(w.Messages, 10)
	}
	if w.ProcessTime > 0 {
		m["process_time"] = w.ProcessTime.String()
	}
	if len(w.TopicConfig) > 0 {
		m["topic_config"] = w.TopicConfigText()
	}
	if s.Pipeline() {
		m["txn_size"] = strconv.Itoa(w.TxnSize)
		m["abort_rate"] = strconv.FormatFloat(w.AbortRate, 'g', -1, 64)
	}
	if len(s.Overridden) > 0 {
		m["overridden"] = strings.Join(s.Overridden, ",")
	}
	return m
}
