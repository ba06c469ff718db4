package verify

import (
	"strings"

	"github.com/kq-dev/kq/verify/check"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Acks is the producer's acknowledgement level.
type Acks string

// Acknowledgement levels.
const (
	// AcksNone (acks=0) waits for nothing: the client reports each send
	// as successful once written to the socket. That success is recorded as
	// an acknowledgement at an unknown offset, and loss is judged on it.
	AcksNone Acks = "0"
	// AcksLeader (acks=1) waits for the partition leader only.
	AcksLeader Acks = "1"
	// AcksAll (acks=all) waits for every in-sync replica.
	AcksAll Acks = "all"
)

// ParseAcks reads an --acks value: 0, 1, all or -1. Others are usage
// errors.
func ParseAcks(s string) (Acks, error) {
	switch strings.ToLower(s) {
	case "0":
		return AcksNone, nil
	case "1":
		return AcksLeader, nil
	case "all", "-1":
		return AcksAll, nil
	}
	return "", kqerr.Usagef("unknown --acks %q (want 0, 1 or all)", s)
}

// CommitMode says when the consuming application commits its offsets.
type CommitMode string

// Commit modes.
const (
	// CommitBefore commits a batch's offsets (synchronously, unless
	// auto-commit is on) before the batch is processed: a crash loses the
	// batch but never delivers it twice.
	CommitBefore CommitMode = "before"
	// CommitAfter commits a batch's offsets after it was processed: a crash
	// delivers the batch again but never loses it.
	CommitAfter CommitMode = "after"
	// CommitTxn runs the copy pipeline of exactly-once: copiers consume the
	// input topic and produce to an output topic in transactions that also
	// commit their input offsets; a validator reads the output.
	CommitTxn CommitMode = "txn"
)

// ParseCommitMode reads a --commit value: before, after or txn.
func ParseCommitMode(s string) (CommitMode, error) {
	switch m := CommitMode(strings.ToLower(s)); m {
	case CommitBefore, CommitAfter, CommitTxn:
		return m, nil
	}
	return "", kqerr.Usagef("unknown --commit %q (want before, after or txn)", s)
}

// Isolation is the consumers' isolation level.
type Isolation string

// Isolation levels.
const (
	// ReadCommitted hides records of open and aborted transactions.
	ReadCommitted Isolation = "read_committed"
	// ReadUncommitted shows every record, aborted ones included.
	ReadUncommitted Isolation = "read_uncommitted"
)

// ParseIsolation reads an --isolation value: read_committed or
// read_uncommitted (dashes are accepted for underscores).
func ParseIsolation(s string) (Isolation, error) {
	switch i := Isolation(strings.ReplaceAll(strings.ToLower(s), "-", "_")); i {
	case ReadCommitted, ReadUncommitted:
		return i, nil
	}
	return "", kqerr.Usagef("unknown --isolation %q (want read_committed or read_uncommitted)", s)
}

// Client is the producer and consumer configuration of a run: a preset's,
// with the user's overrides applied.
type Client struct {
	// Acks is the workload producers' acknowledgement level.
	Acks Acks `json:"acks"`
	// Idempotent turns on the workload producers' idempotence. The
	// copiers of the copy pipeline are always idempotent and
	// transactional, as Kafka requires.
	Idempotent bool `json:"idempotent"`
	// Retries is how often a producer retries a failed send.
	Retries int `json:"retries"`
	// MaxInFlight is the number of produce requests a producer keeps in
	// flight per broker.
	MaxInFlight int `json:"max_in_flight"`
	// Commit says when offsets are committed, and with CommitTxn selects
	// the copy pipeline.
	Commit CommitMode `json:"commit"`
	// Isolation is the consumers' (and the validator's) isolation level.
	Isolation Isolation `json:"isolation"`
	// AutoCommit commits marked offsets in the background every
	// AutoCommitInterval instead of synchronously at each batch: with
	// CommitBefore, a batch is marked before it is processed; with
	// CommitAfter, after.
	AutoCommit bool `json:"auto_commit"`
}

// Overrides are the user's changes to a preset; a nil field keeps the
// preset's value.
type Overrides struct {
	// Acks overrides [Client].Acks (--acks).
	Acks *Acks
	// Idempotent overrides [Client].Idempotent (--idempotent).
	Idempotent *bool
	// Retries overrides [Client].Retries (--retries).
	Retries *int
	// MaxInFlight overrides [Client].MaxInFlight (--max-in-flight).
	MaxInFlight *int
	// Commit overrides [Client].Commit (--commit).
	Commit *CommitMode
	// Isolation overrides [Client].Isolation (--isolation).
	Isolation *Isolation
	// AutoCommit overrides [Client].AutoCommit (--auto-commit).
	AutoCommit *bool
}

// Preset returns the client configuration a semantics preset promises
// with (see the presets table in DESIGN.md): at-most-once produces with
// acks=1 and no retries and commits before processing; at-least-once
// produces with acks=all, many retries and several requests in flight and
// commits after processing; exactly-once produces idempotently and copies
// the stream through transactional copiers read back read_committed.
func Preset(s check.Semantics) (Client, error) {
	s, err := check.ParseSemantics(string(s))
	if err != nil {
		return Client{}, err
	}
	switch s {
	case check.AtMostOnce:
		return Client{Acks: AcksLeader, Retries: 0, MaxInFlight: 5, Commit: CommitBefore, Isolation: ReadUncommitted}, nil
	case check.AtLeastOnce:
		return Client{Acks: AcksAll, Retries: 50, MaxInFlight: 5, Commit: CommitAfter, Isolation: ReadUncommitted}, nil
	}
	return Client{Acks: AcksAll, Idempotent: true, Retries: 50, MaxInFlight: 1, Commit: CommitTxn, Isolation: ReadCommitted}, nil
}

// apply returns c with the overrides set, and the names of the settings
// whose value changed. An idempotent producer needs acks=all, retries and
// one request in flight (sarama's rule): when the user turns idempotence
// on and leaves those alone, they follow.
func (o Overrides) apply(c Client) (Client, []string) {
	before := c
	set(&c.Acks, o.Acks)
	set(&c.Idempotent, o.Idempotent)
	set(&c.Retries, o.Retries)
	set(&c.MaxInFlight, o.MaxInFlight)
	set(&c.Commit, o.Commit)
	set(&c.Isolation, o.Isolation)
	set(&c.AutoCommit, o.AutoCommit)
	if c.Idempotent && o.Idempotent != nil {
		if o.Acks == nil {
			c.Acks = AcksAll
		}
		if o.MaxInFlight == nil {
			c.MaxInFlight = 1
		}
		if o.Retries == nil && c.Retries == 0 {
			c.Retries = 50
		}
	}
	return c, c.changed(before)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// changed lists the JSON names of the settings that differ from old.
func (c Client) changed(old Client) []string {
	var out []string
	add := func(differs bool, name string) {
		if differs {
			out = append(out, name)
		}
	}
	add(c.Acks != old.Acks, "acks")
	add(c.Idempotent != old.Idempotent, "idempotent")
	add(c.Retries != old.Retries, "retries")
	add(c.MaxInFlight != old.MaxInFlight, "max_in_flight")
	add(c.Commit != old.Commit, "commit")
	add(c.Isolation != old.Isolation, "isolation")
	add(c.AutoCommit != old.AutoCommit, "auto_commit")
	return out
}

// validate rejects combinations no client can run.
func (c Client) validate() error {
	switch {
	case c.Retries < 0:
		return kqerr.Usagef("--retries must not be negative, got %d", c.Retries)
	case c.MaxInFlight < 1:
		return kqerr.Usagef("--max-in-flight must be at least 1, got %d", c.MaxInFlight)
	case c.Idempotent && c.Acks != AcksAll:
		return kqerr.Usagef("an idempotent producer needs --acks all, got %s", c.Acks)
	case c.Idempotent && c.MaxInFlight != 1:
		return kqerr.Usagef("an idempotent producer needs --max-in-flight 1 (sarama keeps order only so), got %d", c.MaxInFlight)
	case c.Idempotent && c.Retries < 1:
		return kqerr.Usagef("an idempotent producer needs --retries of at least 1")
	case c.Commit == CommitTxn && c.AutoCommit:
		return kqerr.Usagef("--auto-commit does not go with --commit txn: the copiers commit offsets in their transactions")
	}
	return nil
}

// Pipeline says whether the run copies input to output through
// transactional copiers (true) or consumes the input with a consumer
// group (false).
func (c Client) Pipeline() bool { return c.Commit == CommitTxn }
