// Package verify checks Kafka delivery semantics from a history of sends and
// deliveries of numbered values.
//
// A history is a sequence of [Event]s, stored as JSON lines (see
// [Event.MarshalJSON] for the format). A [Recorder] writes one while a
// workload runs; [ReadHistory] reads one back. A [Checker] counts what went
// wrong (lost, duplicated, reordered, aborted-but-visible, corrupt or foreign
// values, offsets holding two values) in memory bounded by a few bits per
// value and four bytes per log offset, and [Judge] turns those counts into a
// [Verdict] for the [Semantics] the system claims to provide.
package verify

import (
	"errors"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/seqmsg"
)

// HistoryVersion is the version of the history format this package writes
// and the newest it reads.
const HistoryVersion = 1

// EventType says what an [Event] records.
type EventType string

// Event types.
const (
	// TypeMeta describes the run: semantics and settings. It is the first
	// line of a history written by kq; it is optional.
	TypeMeta EventType = "meta"
	// TypeSend is the outcome of handing one value to a producer.
	TypeSend EventType = "send"
	// TypeDeliver is one record handed to the consuming application.
	TypeDeliver EventType = "deliver"
	// TypeAbort marks log offsets written by an aborted transaction: a
	// delivery of one of them is an aborted read.
	TypeAbort EventType = "abort"
	// TypeFault is a fault starting or ending, for the report's timeline;
	// the checker ignores it.
	TypeFault EventType = "fault"
)

// Status is the outcome of a send.
type Status string

// Send outcomes.
const (
	// StatusOK means the send was acknowledged, at a known partition and
	// offset.
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

// Fault phases.
const (
	// PhaseStart marks a fault being switched on.
	PhaseStart = "start"
	// PhaseEnd marks a fault being switched off.
	PhaseEnd = "end"
)

// NoOffset is the Partition or Offset of an [Event] or [Example] when it is
// not known.
const NoOffset = -1

// ErrClosed is returned by a [Recorder] used after Close.
var ErrClosed = errors.New("recorder closed")

// Event is one line of a history. Which fields matter depends on Type; the
// others are left zero. Partition and Offset are [NoOffset] when unknown.
type Event struct {
	// Type says what the event records.
	Type EventType
	// Time is when it happened; optional. A [Recorder] fills in the current
	// time when it is zero.
	Time time.Time

	// Producer and Seq name the value of a send, or of a delivery whose
	// ValueStatus is ValueOK.
	Producer uint32
	Seq      uint64
	// Status is the outcome of a send.
	Status Status
	// Error is the client's error for a failed or indeterminate send.
	Error string

	// Consumer names the consumer that received a delivery; optional.
	Consumer string
	// ValueStatus says whether a delivery held a kq value; empty means
	// ValueOK.
	ValueStatus ValueStatus

	// Topic, Partition and Offset place a send (required when acknowledged),
	// a delivery (required) or the first aborted offset (required).
	Topic     string
	Partition int32
	Offset    int64
	// LastOffset, when greater than Offset, makes an abort event cover
	// Offset through LastOffset inclusive; otherwise it covers Offset alone.
	LastOffset int64

	// Name, Phase (PhaseStart, PhaseEnd, or empty for a one-off fault such
	// as a crash) and Target describe a fault event.
	Name   string
	Phase  string
	Target string

	// Version, Semantics and Settings describe the run in a meta event.
	// Version 0 means [HistoryVersion].
	Version   int
	Semantics Semantics
	Settings  map[string]string
}

// Value returns the kq value of a send or of a delivery with ValueOK.
func (e Event) Value() seqmsg.Value {
	return seqmsg.Value{Producer: e.Producer, Seq: e.Seq}
}

// NewDelivery returns the deliver event for a record consumed from
// topic/partition at offset, decoding its value with [seqmsg.Decode]: a value
// that does not decode is recorded as [ValueCorrupt] or [ValueUnknown].
func NewDelivery(consumer, topic string, partition int32, offset int64, value []byte) Event {
	e := Event{Type: TypeDeliver, Consumer: consumer, Topic: topic, Partition: partition, Offset: offset}
	v, err := seqmsg.Decode(value)
	switch {
	case err == nil:
		e.Producer, e.Seq = v.Producer, v.Seq
	case errors.Is(err, seqmsg.ErrNotSeq):
		e.ValueStatus = ValueUnknown
	default:
		e.ValueStatus = ValueCorrupt
	}
	return e
}

// Validate reports whether e is well formed: a known type, and the fields
// its type requires present and in range. Its errors match [kqerr.ErrUsage].
func (e Event) Validate() error { return e.validate() }

func (e *Event) validate() error {
	switch e.Type {
	case TypeSend:
		return e.validateSend()
	case TypeDeliver:
		return e.validateDeliver()
	case TypeAbort:
		return e.validatePlace()
	case TypeFault:
		return e.validateFault()
	case TypeMeta:
		return e.validateMeta()
	case "":
		return kqerr.Usagef("event has no type")
	default:
		return kqerr.Usagef("unknown event type %q", e.Type)
	}
}

func (e *Event) validateSend() error {
	switch e.Status {
	case StatusOK:
		return e.validatePlace()
	case StatusFail, StatusInfo:
		return nil
	case "":
		return kqerr.Usagef("send event has no status")
	default:
		return kqerr.Usagef("send event has unknown status %q (want ok, fail or info)", e.Status)
	}
}

func (e *Event) validateDeliver() error {
	switch e.ValueStatus {
	case "", ValueOK, ValueCorrupt, ValueUnknown:
		return e.validatePlace()
	default:
		return kqerr.Usagef("deliver event has unknown value_status %q (want ok, corrupt or unknown)", e.ValueStatus)
	}
}

func (e *Event) validatePlace() error {
	if e.Partition < 0 {
		return kqerr.Usagef("%s event has a missing or negative partition", e.Type)
	}
	if e.Offset < 0 {
		return kqerr.Usagef("%s event has a missing or negative offset", e.Type)
	}
	return nil
}

func (e *Event) validateFault() error {
	if e.Name == "" {
		return kqerr.Usagef("fault event has no name")
	}
	switch e.Phase {
	case "", PhaseStart, PhaseEnd:
		return nil
	default:
		return kqerr.Usagef("fault event has unknown phase %q (want start or end)", e.Phase)
	}
}

func (e *Event) validateMeta() error {
	if e.Version > HistoryVersion {
		return kqerr.Usagef("history version %d is newer than this kq reads (%d)", e.Version, HistoryVersion)
	}
	if e.Semantics != "" {
		if _, err := ParseSemantics(string(e.Semantics)); err != nil {
			return err
		}
	}
	return nil
}

// lastOffset is the last offset an abort event covers.
func (e Event) lastOffset() int64 {
	return max(e.LastOffset, e.Offset)
}
