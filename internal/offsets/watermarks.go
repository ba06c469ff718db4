package offsets

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

// UnknownWatermarks are the watermarks of a partition that could not be
// read (its topic was deleted, for example).
func UnknownWatermarks() Watermarks {
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
