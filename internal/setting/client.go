package setting

import "github.com/IBM/sarama"

// Acks is how many acknowledgements a broker waits for before it answers a
// produce request.
type Acks string

// The acknowledgement levels.
const (
	// AcksNone (acks=0) asks for no answer at all: a record counts as
	// acknowledged once written to the connection, at an unknown offset
	// (-1), as in the Java client.
	AcksNone Acks = "0"
	// AcksLeader (acks=1) waits for the partition leader's write.
	AcksLeader Acks = "1"
	// AcksAll (acks=all, or -1) waits for every in-sync replica.
	AcksAll Acks = "all"
)

// ParseAcks reads an acknowledgement level: 0, 1, all or -1.
func ParseAcks(s string) (Acks, error) {
	return ParseAliased("acks", s, map[string]Acks{"-1": AcksAll}, AcksNone, AcksLeader, AcksAll)
}

// Sarama is a's sarama value (the zero Acks means [AcksAll]).
func (a Acks) Sarama() sarama.RequiredAcks {
	switch a {
	case AcksNone:
		return sarama.NoResponse
	case AcksLeader:
		return sarama.WaitForLocal
	}
	return sarama.WaitForAll
}

// Isolation is a consumer's transaction isolation level.
type Isolation string

// The isolation levels.
const (
	// ReadCommitted hides records of open and aborted transactions and
	// stops at the last stable offset.
	ReadCommitted Isolation = "read_committed"
	// ReadUncommitted shows every record, aborted ones included, up to the
	// high watermark.
	ReadUncommitted Isolation = "read_uncommitted"
)

// ParseIsolation reads an isolation level: read_committed or
// read_uncommitted.
func ParseIsolation(s string) (Isolation, error) {
	return Parse("isolation", s, ReadCommitted, ReadUncommitted)
}

// Sarama is i's sarama value (the zero Isolation means [ReadCommitted]).
func (i Isolation) Sarama() sarama.IsolationLevel {
	if i == ReadUncommitted {
		return sarama.ReadUncommitted
	}
	return sarama.ReadCommitted
}

// CommitMode says when a consuming application commits its offsets. Not
// every client offers every mode: each parses with the modes it offers.
type CommitMode string

// The commit modes.
const (
	// CommitBefore commits a batch's offsets before the batch is
	// processed: a crash may lose it, never deliver it twice
	// (at-most-once).
	CommitBefore CommitMode = "before"
	// CommitAfter commits a batch's offsets after it was processed: a
	// crash may deliver it again, never lose it (at-least-once).
	CommitAfter CommitMode = "after"
	// CommitTxn commits offsets inside the transaction that produces the
	// processed records (consume-transform-produce, exactly-once).
	CommitTxn CommitMode = "txn"
	// CommitNone never commits.
	CommitNone CommitMode = "none"
)

// ParseCommitMode reads a commit mode among offered.
func ParseCommitMode(s string, offered ...CommitMode) (CommitMode, error) {
	return Parse("commit mode", s, offered...)
}
