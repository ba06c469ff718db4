package check

// Counts is what a [Checker] found. Sent, Acked, Failed, Indeterminate and
// Delivered count events; the anomalies count values or offsets as each
// field says.
type Counts struct {
	// Sent counts send events; Acked, Failed and Indeterminate split them
	// by status (ok, fail, info).
	Sent          uint64 `json:"sent"`
	Acked         uint64 `json:"acked"`
	Failed        uint64 `json:"failed"`
	Indeterminate uint64 `json:"indeterminate"`
	// Delivered counts deliver events, redeliveries included.
	Delivered uint64 `json:"delivered"`

	// Lost counts values acknowledged but never delivered (a delivery of an
	// aborted offset does not count as delivering a value) although a later
	// offset of their partition was delivered: skipped over. A value
	// acknowledged without an offset (acks=0) counts here too.
	Lost uint64 `json:"lost"`
	// Unseen counts values acknowledged but never delivered with nothing
	// after them in their partition delivered: the reader never got that
	// far (after a complete drain, the tail of the log went missing).
	Unseen uint64 `json:"unseen"`
	// Duplicated is LogDuplicates plus Redeliveries.
	Duplicated uint64 `json:"duplicated"`
	// LogDuplicates counts extra copies of values in the log: a value seen
	// (acknowledged or delivered) at n offsets of a topic counts n-1.
	LogDuplicates uint64 `json:"log_duplicates"`
	// Redeliveries counts extra deliveries of one offset with the same
	// value: an offset delivered n times counts n-1.
	Redeliveries uint64 `json:"redeliveries"`
	// OffsetConflicts counts offsets seen holding two different values
	// (through acks, deliveries or both).
	OffsetConflicts uint64 `json:"offset_conflicts"`
	// Reordered counts offsets holding a value whose sequence number is
	// lower than that of the same producer's previous value in the
	// partition, in offset order.
	Reordered uint64 `json:"reordered"`
	// AbortedReads counts delivered offsets that an aborted transaction
	// wrote.
	AbortedReads uint64 `json:"aborted_reads"`
	// Corrupt counts offsets delivered with a value that failed to decode.
	Corrupt uint64 `json:"corrupt"`
	// Unknown counts offsets delivered with a value kq did not write.
	Unknown uint64 `json:"unknown"`
	// FailDelivered counts values delivered whose every send was reported
	// as definitely failed: the client's error report was wrong.
	FailDelivered uint64 `json:"fail_delivered"`
	// Unsent counts kq values delivered that no send in the history wrote.
	Unsent uint64 `json:"unsent"`

	// Examples holds up to [Options].MaxExamples instances of each
	// anomaly found, keyed by anomaly.
	Examples map[Anomaly][]Example `json:"examples,omitempty"`
}

// Anomaly names a kind of anomaly; its value is the JSON key of its count.
type Anomaly string

// Anomalies.
const (
	AnomalyLost            Anomaly = "lost"
	AnomalyUnseen          Anomaly = "unseen"
	AnomalyLogDuplicate    Anomaly = "log_duplicates"
	AnomalyRedelivery      Anomaly = "redeliveries"
	AnomalyOffsetConflict  Anomaly = "offset_conflicts"
	AnomalyReordered       Anomaly = "reordered"
	AnomalyAbortedRead     Anomaly = "aborted_reads"
	AnomalyCorrupt         Anomaly = "corrupt"
	AnomalyUnknown         Anomaly = "unknown"
	AnomalyFailDelivered   Anomaly = "fail_delivered"
	AnomalyUnsentDelivered Anomaly = "unsent"
)

// Example is one instance of an anomaly, for a user to look up in the
// history or the topic.
type Example struct {
	// Value is the value concerned as "producer/seq", or empty for a
	// corrupt or unknown value.
	Value string `json:"value,omitempty"`
	// Topic, Partition and Offset say where; Partition and Offset are
	// [history.NoOffset] when the history does not place the value.
	Topic     string `json:"topic,omitempty"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	// Detail says more, for some anomalies.
	Detail string `json:"detail,omitempty"`
}

// examples collects up to max examples per anomaly.
type examples struct {
	max int
	m   map[Anomaly][]Example
}

func (x *examples) add(a Anomaly, e Example) {
	if len(x.m[a]) >= x.max {
		return
	}
	if x.m == nil {
		x.m = map[Anomaly][]Example{}
	}
	x.m[a] = append(x.m[a], e)
}

// full reports whether no more examples of a are wanted.
func (x *examples) full(a Anomaly) bool { return len(x.m[a]) >= x.max }

// clone returns a copy that can be added to without changing x.
func (x *examples) clone() examples {
	c := examples{max: x.max}
	for a, es := range x.m {
		if c.m == nil {
			c.m = map[Anomaly][]Example{}
		}
		c.m[a] = append([]Example(nil), es...)
	}
	return c
}
