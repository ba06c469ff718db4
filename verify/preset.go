package verify

import (
	"github.com/kq-dev/kq/verify/check"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// ParseCommitMode reads a commit mode of a run: before, after or txn
// (see [Client].Commit).
func ParseCommitMode(s string) (setting.CommitMode, error) {
	return setting.ParseCommitMode(s, setting.CommitBefore, setting.CommitAfter, setting.CommitTxn)
}

// Client is the producer and consumer configuration of a run: a preset's,
// with the user's overrides applied.
type Client struct {
	// Acks is the workload producers' acknowledgement level.
	Acks setting.Acks `json:"acks"`
	// Idempotent turns on the workload producers' idempotence. The
	// copiers of the copy pipeline are always idempotent and
	// transactional, as Kafka requires.
	Idempotent bool `json:"idempotent"`
	// Retries is how often a producer retries a failed send.
	Retries int `json:"retries"`
	// MaxInFlight is the number of produce requests a producer keeps in
	// flight per broker.
	MaxInFlight int `json:"max_in_flight"`
	// Commit says when offsets are committed: before a batch is processed
	// (synchronously, unless auto-commit is on), after it, or with txn in
	// the transactions of the copy pipeline (copiers consume the input
	// topic and produce to an output topic in transactions that also
	// commit their input offsets; a validator reads the output).
	Commit setting.CommitMode `json:"commit"`
	// Isolation is the consumers' (and the validator's) isolation level.
	Isolation setting.Isolation `json:"isolation"`
	// AutoCommit commits marked offsets in the background every
	// AutoCommitInterval instead of synchronously at each batch: with
	// setting.CommitBefore, a batch is marked before it is processed; with
	// setting.CommitAfter, after.
	AutoCommit bool `json:"auto_commit"`
}

// Overrides are the user's changes to a preset; a nil field keeps the
// preset's value.
type Overrides struct {
	// Acks overrides [Client].Acks (--acks).
	Acks *setting.Acks
	// Idempotent overrides [Client].Idempotent (--idempotent).
	Idempotent *bool
	// Retries overrides [Client].Retries (--retries).
	Retries *int
	// MaxInFlight overrides [Client].MaxInFlight (--max-in-flight).
	MaxInFlight *int
	// Commit overrides [Client].Commit (--commit).
	Commit *setting.CommitMode
	// Isolation overrides [Client].Isolation (--isolation).
	Isolation *setting.Isolation
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
		return Client{Acks: setting.AcksLeader, Retries: 0, MaxInFlight: 5, Commit: setting.CommitBefore, Isolation: setting.ReadUncommitted}, nil
	case check.AtLeastOnce:
		return Client{Acks: setting.AcksAll, Retries: 50, MaxInFlight: 5, Commit: setting.CommitAfter, Isolation: setting.ReadUncommitted}, nil
	}
	return Client{Acks: setting.AcksAll, Idempotent: true, Retries: 50, MaxInFlight: 1, Commit: setting.CommitTxn, Isolation: setting.ReadCommitted}, nil
}

// maxIdempotentInFlight is Kafka's bound on an idempotent producer's
// requests in flight per connection.
const maxIdempotentInFlight = 5

// apply returns c with the overrides set, and the names of the settings
// whose value changed. An idempotent producer needs acks=all and retries,
// and keeps at most five requests in flight: when the user turns
// idempotence on and leaves those alone, acks=all, retries and one request
// in flight follow (--max-in-flight up to 5 is the user's to add).
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
			c.Acks = setting.AcksAll
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
		return kqerr.Settingf("{retries} must not be negative, got %d", c.Retries)
	case c.MaxInFlight < 1:
		return kqerr.Settingf("{max in flight} must be at least 1, got %d", c.MaxInFlight)
	case c.Idempotent && c.Acks != setting.AcksAll:
		return kqerr.Settingf("an idempotent producer needs {acks} all, got %s", c.Acks)
	case c.Idempotent && c.MaxInFlight > maxIdempotentInFlight:
		return kqerr.Settingf("an idempotent producer needs {max in flight} of at most %d (a Kafka broker checks the sequences of a producer's last five batches per partition), got %d", maxIdempotentInFlight, c.MaxInFlight)
	case c.Idempotent && c.Retries < 1:
		return kqerr.Settingf("an idempotent producer needs {retries} of at least 1")
	case c.Commit == setting.CommitTxn && c.AutoCommit:
		return kqerr.Settingf("{auto commit} does not go with {commit} txn: the copiers commit offsets in their transactions")
	}
	return nil
}

// Pipeline says whether the run copies input to output through
// transactional copiers (true) or consumes the input with a consumer
// group (false).
func (c Client) Pipeline() bool { return c.Commit == setting.CommitTxn }
