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
	// Aborted counts values acknowledged only at offsets that abort
	// events cover (the application's transaction was aborted) and never
	// delivered: not lost, as an aborted write is not meant to be read.
	Aborted uint64 `json:"aborted"`
	// Duplicated is LogDuplicates plus Redeliveries.
	Duplicated uint64 `json:"duplicated"`
	// LogDuplicates counts extra copies of values in the log: a value seen
	// (acknowledged or delivered) at n offsets of a topic counts n-1.
	LogDuplicates uint64 `json:"log_duplicates"`
	// Redeliveries counts extra deliveries of one offset with the same
	// value: an offset delivered n times with one value counts n-1 (a
	// corrupt copy counts as a value of its own).
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

	// PollSkips counts jumps of a consumer over records in a partition: two
	// of its consecutive deliveries there (in time order) with no
	// assignment change or seek between, and between them an offset known
	// to hold a visible record (acknowledged or delivered to anyone there,
	// and not in an aborted range). Offsets never named by an ack or a
	// delivery (transaction markers, compacted or never written offsets)
	// are not records: jumping over them is no skip.
	PollSkips uint64 `json:"poll_skips"`
	// NonmonotonicPolls counts deliveries to a consumer at or before the
	// offset of its previous delivery in the partition (or before the
	// offset it sought), with no assignment change or seek between.
	NonmonotonicPolls uint64 `json:"nonmonotonic_polls"`
	// CommitAhead counts acknowledged commits of an offset past what the
	// consumer had processed in the partition since its assignment or
	// seek: beyond one past the highest offset delivered to it (or the
	// offset it sought). A commit before any delivery, with the start
	// unknown, is ahead when its first delivery comes at a lower offset.
	CommitAhead uint64 `json:"commit_ahead"`
	// FinalCommitMismatch counts consumer partitions whose last
	// acknowledged commit differs from the consumer's position (one past
	// the last offset it processed) after a complete run, for consumers
	// that did not crash.
	FinalCommitMismatch uint64 `json:"final_commit_mismatch"`
	// TornTxns counts committed transactions (txn events) only partly
	// visible: some of the records they wrote were delivered, not all.
	TornTxns uint64 `json:"torn_transactions"`
	// OutOfOrder counts consumer events that came in the history after
	// later events of the same consumer and partition had been judged (see
	// the reorder window in the README): the poll and commit checks could
	// not judge them. Not an anomaly, but a reason a verdict is
	// inconclusive.
	OutOfOrder uint64 `json:"out_of_order,omitempty"`

	// RealtimeLag is the time from acknowledgement to first delivery of
	// a sample of the values (see [Lag]).
	RealtimeLag Lag `json:"realtime_lag"`

	// Examples holds up to [Options].MaxExamples instances of each
	// anomaly found, keyed by anomaly.
	Examples map[Anomaly][]Example `json:"examples,omitempty"`
}

// Anomaly names a kind of anomaly; its value is the JSON key of its count.
type Anomaly string

// Anomalies.
const (
	AnomalyLost             Anomaly = "lost"
	AnomalyAborted          Anomaly = "aborted"
	AnomalyUnseen           Anomaly = "unseen"
	AnomalyLogDuplicate     Anomaly = "log_duplicates"
	AnomalyRedelivery       Anomaly = "redeliveries"
	AnomalyOffsetConflict   Anomaly = "offset_conflicts"
	AnomalyReordered        Anomaly = "reordered"
	AnomalyAbortedRead      Anomaly = "aborted_reads"
	AnomalyCorrupt          Anomaly = "corrupt"
	AnomalyUnknown          Anomaly = "unknown"
	AnomalyFailDelivered    Anomaly = "fail_delivered"
	AnomalyUnsentDelivered  Anomaly = "unsent"
	AnomalyPollSkip         Anomaly = "poll_skips"
	AnomalyNonmonotonicPoll Anomaly = "nonmonotonic_polls"
	AnomalyCommitAhead      Anomaly = "commit_ahead"
	AnomalyFinalCommit      Anomaly = "final_commit_mismatch"
	AnomalyTornTxn          Anomaly = "torn_transactions"
)

// Example is one instance of an anomaly, for a user to look up in the
// history or the topic.
type Example struct {
	// Value is the value concerned as "producer/seq", or empty for a
	// corrupt or unknown value.
	Value string `json:"value,omitempty"`
	// Consumer names the consumer concerned, for a poll or commit anomaly
	// or a delivery.
	Consumer string `json:"consumer,omitempty"`
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
