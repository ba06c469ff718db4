package groups

import "github.com/kq-dev/kq/internal/offsets"

// ComputeLag returns how far a consumer with the committed offset is behind
// the last stable offset, the end a read_committed consumer reads to (and,
// with no open transaction, the log end).
//
// The consumer's position is [Watermarks.Position]: with no committed offset
// the lag is counted from the log start (kafka-consumer-groups shows "-"
// there), and offsets deleted below the log start are not counted. Lag is
// never negative: a committed offset past the last stable offset (an open
// transaction, a truncated log) has lag 0. It is NoLag when the watermarks
// are unknown.
func ComputeLag(committed offsets.Offset, w offsets.Watermarks) offsets.Lag {
	pos := w.Position(committed)
	if !pos.Known() {
		return offsets.NoLag
	}
	return offsets.Lag(max(0, int64(w.LastStable)-int64(pos)))
}

// SumLag adds up the known lags; it is NoLag only when none is known and
// there is at least one.
func SumLag(lags ...offsets.Lag) offsets.Lag {
	var sum offsets.Lag
	known := len(lags) == 0
	for _, l := range lags {
		if l.Known() {
			sum += l
			known = true
		}
	}
	if !known {
		return offsets.NoLag
	}
	return sum
}
