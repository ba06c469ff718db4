// Package history is the format of a delivery history: the events of a run
// of sends and deliveries of numbered values, stored as JSON lines (see
// [Event.MarshalJSON]). A [Recorder] writes one while a workload runs and
// can feed each event to a [Sink] (the checker) as it goes; [Read] reads
// one back. The package holds no client code: a history is checked offline
// by package check with nothing else.
package history

import (
	"errors"
	"time"

	"github.com/kq-dev/kq/internal/seqmsg"
)

// Version is the version of the history format this package writes and the
// newest it reads. Version 1 wrote times as RFC 3339 "time"; version 2
// writes "ts" (Unix microseconds) and adds the latency of a send and the
// assign, revoke, seek, commit and end events. Version 3 adds a meta
// event's worker and workers: the history is one worker's share of a run,
// to be checked together with the others (a reader of version 2 must not
// judge it alone), and the txn event. All are read.
const Version = 3

// EventType says what an [Event] records.
type EventType string

// Event types.
const (
	// TypeMeta describes the run: semantics, settings, run id. It is the
	// first line of a history written by kq; it is optional.
	TypeMeta EventType = "meta"
	// TypeSend is the outcome of handing one value to a producer.
	TypeSend EventType = "send"
	// TypeDeliver is one record handed to the consuming application.
	TypeDeliver EventType = "deliver"
	// TypeAbort marks log offsets written by an aborted transaction: a
	// delivery of one of them is an aborted read.
	TypeAbort EventType = "abort"
	// TypeFault is a fault starting or ending, or a one-off fault such as
	// a crash.
	TypeFault EventType = "fault"
	// TypeAssign gives a consumer partitions of a topic: its next delivery
	// in each may start anywhere (at the committed offset).
	TypeAssign EventType = "assign"
	// TypeRevoke takes partitions of a topic from a consumer.
	TypeRevoke EventType = "revoke"
	// TypeSeek moves a consumer's position in a partition: its next
	// delivery there is at Offset or later.
	TypeSeek EventType = "seek"
	// TypeCommit is a consumer committing Offset (the next offset to read)
	// of a partition, with the commit's outcome in Status.
	TypeCommit EventType = "commit"
	// TypeEnd is the last line of a history written by kq: the run's
	// outcome (Outcome) and, unless complete, why (Reason).
	TypeEnd EventType = "end"
	// TypeTxn is one transaction's part in one partition, with its
	// outcome (OutcomeCommitted or OutcomeAborted) and its id (Txn, shared
	// by the lines of one transaction). Without a Consumer it names what
	// the transaction wrote: Count records (0: every offset) at Offset
	// through LastOffset of Topic/Partition; a committed one must be
	// wholly visible to a read_committed reader, an aborted one is an
	// abort event. With a Consumer it names what the transaction read and
	// processed: Offset through LastOffset of its input partition, so the
	// offsets it commits are judged against it.
	TypeTxn EventType = "txn"
)

// Status is the outcome of a send or a commit.
type Status string

// Send and commit outcomes.
const (
	// StatusOK means the send (or commit) was acknowledged. A send's
	// partition and offset are known, except with acks=0, where the client
	// reports success without an offset: still an acknowledgement.
	StatusOK Status = "ok"
	// StatusFail means the value was definitely not written. Record it only
	// when the client could not have reached the log (for example the
	// request was never sent); anything doubtful is [StatusInfo].
	StatusFail Status = "fail"
	// StatusInfo means the outcome is unknown: a timeout, a lost response,
	// an error after which the value may still be in the log.
	StatusInfo Status = "info"
)

// ValueStatus says whether a delivered record held a kq value.
type ValueStatus string

// Value statuses of a delivery.
const (
	// ValueOK (or the empty string) means the record held a kq value, named
	// by the event's Producer and Seq.
	ValueOK ValueStatus = "ok"
	// ValueCorrupt means the record looked like a kq value but did not
	// decode (bad checksum or framing).
	ValueCorrupt ValueStatus = "corrupt"
	// ValueUnknown means the record was not a kq value at all: something
	// other than the workload wrote to the topic.
	ValueUnknown ValueStatus = "unknown"
)

// Outcome is how a run ended, in its end event.
type Outcome string

// Run outcomes.
const (
	// OutcomeComplete means the run did all it set out to: the history is
	// the whole story.
	OutcomeComplete Outcome = "complete"
	// OutcomeFailed means the run stopped on an error (a cluster that never
	// came back, a drain timeout): the history is partial.
	OutcomeFailed Outcome = "failed"
	// OutcomeInterrupted means the run was stopped from outside (Ctrl-C):
	// the history is partial.
	OutcomeInterrupted Outcome = "interrupted"
	// OutcomeCommitted is a txn event's transaction committed.
	OutcomeCommitted Outcome = "committed"
	// OutcomeAborted is a txn event's transaction aborted.
	OutcomeAborted Outcome = "aborted"
)

// Fault phases.
const (
	// PhaseStart marks a fault being switched on.
	PhaseStart = "start"
	// PhaseEnd marks a fault being switched off.
	PhaseEnd = "end"
)

// NoOffset is the Partition or Offset of an [Event] when it is not known.
const NoOffset = -1

// ErrClosed is returned by a [Recorder] used after Close.
var ErrClosed = errors.New("recorder closed")

// Event is one line of a history. Which fields matter depends on Type; the
// others are left zero. Partition and Offset are [NoOffset] when unknown.
type Event struct {
	// Type says what the event records.
	Type EventType
	// Time is when it happened. A [Recorder] fills in the current time
	// when it is zero, so every event kq writes has one; it is optional in
	// a history a user writes.
	Time time.Time

	// Producer and Seq name the value of a send, or of a delivery whose
	// ValueStatus is ValueOK.
	Producer uint32
	Seq      uint64
	// Status is the outcome of a send or a commit.
	Status Status
	// Error is the client's error for a failed or indeterminate send or
	// commit.
	Error string
	// Latency is, for a send, the time from handing the value to the
	// client to its outcome (Time): for an acknowledgement, its latency.
	// Zero when not known.
	Latency time.Duration

	// Consumer names the consumer of a delivery, assign, revoke, seek or
	// commit; optional for a delivery.
	Consumer string
	// ValueStatus says whether a delivery held a kq value; empty means
	// ValueOK.
	ValueStatus ValueStatus

	// Topic, Partition and Offset place a send (when acknowledged with a
	// known offset), a delivery, the first aborted offset, a seek (the
	// next offset read) or a commit (the next offset to read).
	Topic     string
	Partition int32
	Offset    int64
	// LastOffset, when greater than Offset, makes an abort event cover
	// Offset through LastOffset inclusive; otherwise it covers Offset alone.
	LastOffset int64
	// Partitions are the partitions of Topic an assign or revoke event
	// gives or takes.
	Partitions []int32

	// Name, Phase (PhaseStart, PhaseEnd, or empty for a one-off fault such
	// as a crash) and Target describe a fault event. AtRisk, for a client
	// crash, counts the work the client held at risk when it died: sends in
	// flight, records processed but not committed or committed but not
	// processed, records in an open transaction.
	Name   string
	Phase  string
	Target string
	AtRisk int64

	// Outcome and Reason describe the end of the run in an end event;
	// Outcome is also a txn event's transaction's outcome.
	Outcome Outcome
	Reason  string

	// Txn names the transaction of a txn event; Count is how many records
	// it wrote in the partition (0: one per offset of its range).
	Txn   string
	Count int64

	// Version, Semantics, Settings and Run describe the run in a meta
	// event. Version 0 means [Version]; Run is the run's id, shared by the
	// histories of the workers of one run. Faults names the kinds of fault
	// the run claims to have been tested under (fault event names), each
	// of which needs MinWindows (0 means 1) windows over traffic, or client
	// crashes with work at risk, for a verdict.
	Version    int
	Semantics  string
	Settings   map[string]string
	Run        string
	Faults     []string
	MinWindows int
	// Workers, when not zero, makes the history that of worker Worker
	// (0 to Workers-1) of a run of Workers workers (kq verify --worker):
	// the histories of all of them, merged, are the run's.
	Worker  int
	Workers int
}

// Value returns the kq value of a send or of a delivery with ValueOK.
func (e Event) Value() seqmsg.Value {
	return seqmsg.Value{Producer: e.Producer, Seq: e.Seq}
}

// AbortEnd is the last offset an abort or txn event covers.
func (e Event) AbortEnd() int64 {
	return max(e.LastOffset, e.Offset)
}

// NewDelivery returns the deliver event for a record consumed from
// topic/partition at offset, decoding its value with [seqmsg.Decode]: a value
// that does not decode is recorded as [ValueCorrupt] or [ValueUnknown].
func NewDelivery(consumer, topic string, partition int32, offset int64, value []byte) Event {
	var e Event
	e.setDelivery(nil, consumer, topic, partition, offset, value)
	return e
}

// AppendDelivery appends to es the event [NewDelivery] returns, built in
// place (an Event is some 400 bytes, and a consumer that records its
// deliveries a chunk at a time copied each twice on its way into the
// chunk), decoding the value with dec: a consumer's own
// [seqmsg.Decoder], or nil for [seqmsg.Decode].
func AppendDelivery(es []Event, dec *seqmsg.Decoder, consumer, topic string, partition int32, offset int64, value []byte) []Event {
	es = append(es, Event{})
	es[len(es)-1].setDelivery(dec, consumer, topic, partition, offset, value)
	return es
}

// setDelivery makes the zero event e the delivery NewDelivery describes,
// decoding with dec (seqmsg.Decode when nil).
func (e *Event) setDelivery(dec *seqmsg.Decoder, consumer, topic string, partition int32, offset int64, value []byte) {
	e.Type, e.Consumer, e.Topic, e.Partition, e.Offset = TypeDeliver, consumer, topic, partition, offset
	var v seqmsg.Value
	var err error
	if dec != nil {
		v, err = dec.Decode(value)
	} else {
		v, err = seqmsg.Decode(value)
	}
	switch {
	case err == nil:
		e.Producer, e.Seq = v.Producer, v.Seq
	case errors.Is(err, seqmsg.ErrNotSeq):
		e.ValueStatus = ValueUnknown
	default:
		e.ValueStatus = ValueCorrupt
	}
}

// SetAck makes the zero event e the acknowledged send of producer/seq at
// topic, partition and offset (NoOffset when the answer gave none, as with
// acks=0). Filling an event in place spares a batch of acknowledgements a
// copy of each event.
func (e *Event) SetAck(producer uint32, seq uint64, topic string, partition int32, offset int64) {
	e.Type, e.Producer, e.Seq, e.Status = TypeSend, producer, seq, StatusOK
	e.Topic, e.Partition, e.Offset = topic, partition, offset
}

// NewSend returns the send event of producer/seq with status s, its
// partition and offset unknown.
func NewSend(producer uint32, seq uint64, s Status, errMsg string) Event {
	return Event{Type: TypeSend, Producer: producer, Seq: seq, Status: s, Error: errMsg, Partition: NoOffset, Offset: NoOffset}
}
