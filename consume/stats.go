package consume

import "time"

// StopReason says why a run ended.
type StopReason string

// The stop reasons.
const (
	// StopEnd means every partition reached its end (-e) or its --until
	// bound.
	StopEnd StopReason = "end"
	// StopCount means --count records were written.
	StopCount StopReason = "count"
	// StopIdle means no record arrived for --idle-timeout.
	StopIdle StopReason = "idle"
	// StopInterrupted means the context was cancelled.
	StopInterrupted StopReason = "interrupted"
	// StopError means an error ended the run.
	StopError StopReason = "error"
)

// Stats summarise a run.
type Stats struct {
	// Records is the number of records written to the sink.
	Records int64
	// Bytes is the sum of their key, value and header sizes.
	Bytes int64
	// Elapsed is the time from the start of consumption to its end.
	Elapsed time.Duration
	// Stopped says why the run ended.
	Stopped StopReason
}

// RecordsPerSecond is Records over Elapsed (0 for an instant run).
func (s Stats) RecordsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Records) / s.Elapsed.Seconds()
}
