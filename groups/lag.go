package groups

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Partition is the partition number.
	Partition int32 `json:"partition"`
}

// Watermarks are the offsets that bound a partition's log.
type Watermarks struct {
	// LogStart is the first offset still in the log; retention and
	// DeleteRecords raise it.
	LogStart Offset `json:"log_start_offset"`
	// LogEnd is the high watermark: the offset the next record will get.
	LogEnd Offset `json:"log_end_offset"`
	// LastStable is the last stable offset: below it every transaction is
	// decided, and a read_committed consumer reads no further. It equals
	// LogEnd when no transaction is open.
	LastStable Offset `json:"last_stable_offset"`
}

// unknownWatermarks are the watermarks of a partition that could not be
// read (its topic was deleted, for example).
func unknownWatermarks() Watermarks {
	return Watermarks{LogStart: NoOffset, LogEnd: NoOffset, LastStable: NoOffset}
}

// Known reports whether all three offsets are known.
func (w Watermarks) Known() bool {
	return w.LogStart.Known() && w.LogEnd.Known() && w.LastStable.Known()
}

// OffsetCount returns how many offsets lie between the log start and the
// log end, 0 when unknown. Transaction markers and aborted records are
// counted, so it is an upper bound on the records a consumer reads.
func (w Watermarks) OffsetCount() int64 {
	if !w.Known() || w.LogEnd < w.LogStart {
		return 0
	}
	return int64(w.LogEnd - w.LogStart)
}

// Position returns where a consumer with this committed offset resumes: the
// committed offset, or the log start when nothing is committed or the
// committed offset was deleted (retention, DeleteRecords). It is NoOffset
// when the watermarks are unknown.
func (w Watermarks) Position(committed Offset) Offset {
	if !w.Known() {
		return NoOffset
	}
	if !committed.Known() || committed < w.LogStart {
		return w.LogStart
	}
	return committed
}

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
func ComputeLag(committed Offset, w Watermarks) Lag {
	pos := w.Position(committed)
	if !pos.Known() {
		return NoLag
	}
	return Lag(max(0, int64(w.LastStable)-int64(pos)))
}

// SumLag adds up the known lags; it is NoLag only when none is known and
// there is at least one.
func SumLag(lags ...Lag) Lag {
	var sum Lag
	known := len(lags) == 0
	for _, l := range lags {
		if l.Known() {
			sum += l
			known = true
		}
	}
	if !known {
		return NoLag
	}
	return sum
}
