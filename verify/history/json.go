package history

import (
	"encoding/json"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// wireEvent is an Event as a JSON line. Pointers tell a field that is absent
// from one that is zero.
type wireEvent struct {
	Type        EventType         `json:"type"`
	Producer    *uint32           `json:"producer,omitempty"`
	Seq         *uint64           `json:"seq,omitempty"`
	Status      Status            `json:"status,omitempty"`
	Consumer    string            `json:"consumer,omitempty"`
	Topic       string            `json:"topic,omitempty"`
	Partition   *int32            `json:"partition,omitempty"`
	Offset      *int64            `json:"offset,omitempty"`
	LastOffset  *int64            `json:"last_offset,omitempty"`
	Partitions  []int32           `json:"partitions,omitempty"`
	ValueStatus ValueStatus       `json:"value_status,omitempty"`
	Error       string            `json:"error,omitempty"`
	LatencyUS   int64             `json:"latency_us,omitempty"`
	Name        string            `json:"name,omitempty"`
	Phase       string            `json:"phase,omitempty"`
	Target      string            `json:"target,omitempty"`
	AtRisk      int64             `json:"at_risk,omitempty"`
	Outcome     Outcome           `json:"outcome,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Txn         string            `json:"txn,omitempty"`
	Count       int64             `json:"count,omitempty"`
	Version     int               `json:"version,omitempty"`
	Semantics   string            `json:"semantics,omitempty"`
	Run         string            `json:"run,omitempty"`
	Faults      []string          `json:"faults,omitempty"`
	MinWindows  int               `json:"min_windows,omitempty"`
	Worker      *int              `json:"worker,omitempty"`
	Workers     int               `json:"workers,omitempty"`
	Settings    map[string]string `json:"settings,omitempty"`
	TS          int64             `json:"ts,omitempty"`
	// Time is version 1's RFC 3339 time, read but no longer written.
	Time time.Time `json:"time,omitzero"`
}

// MarshalJSON encodes e as one history line: a JSON object with snake_case
// keys, holding only the keys its type uses; "ts" is the event's time in
// microseconds since the Unix epoch. For example:
//
//	{"type":"meta","version":3,"semantics":"exactly-once","run":"kq-verify-1a2b3c4d","faults":["leader-move","crash-copier"],"min_windows":1,"settings":{"acks":"all"}}
//	{"type":"meta","version":3,"semantics":"at-least-once","run":"kq-verify-nightly","worker":1,"workers":3}
//	{"type":"send","producer":0,"seq":7,"status":"ok","topic":"t","partition":2,"offset":41,"latency_us":2150,"ts":1764297437123456}
//	{"type":"send","producer":0,"seq":8,"status":"info","error":"request timed out"}
//	{"type":"send","producer":0,"seq":9,"status":"ok","topic":"t","partition":2}
//	{"type":"deliver","producer":0,"seq":7,"consumer":"c1","topic":"t","partition":2,"offset":41}
//	{"type":"deliver","topic":"t","partition":2,"offset":42,"value_status":"unknown"}
//	{"type":"abort","topic":"out","partition":0,"offset":100,"last_offset":109}
//	{"type":"fault","name":"leader-move","phase":"start","target":"t/2"}
//	{"type":"fault","name":"crash-consumer","target":"c0/1","at_risk":120}
//	{"type":"assign","consumer":"c0/1","topic":"t","partitions":[0,2,4]}
//	{"type":"revoke","consumer":"c0/1","topic":"t","partitions":[0,2,4]}
//	{"type":"seek","consumer":"c0/1","topic":"t","partition":2,"offset":40}
//	{"type":"commit","status":"ok","consumer":"c0/1","topic":"t","partition":2,"offset":42}
//	{"type":"txn","topic":"out","partition":0,"offset":5010,"last_offset":5109,"outcome":"committed","txn":"kq-verify-1a2b-copy-0/0@4000","count":100}
//	{"type":"txn","consumer":"copier 0","topic":"in","partition":0,"offset":4000,"last_offset":4099,"outcome":"committed","txn":"kq-verify-1a2b-copy-0/0@4000","count":100}
//	{"type":"end","outcome":"complete"}
//
// Partition and Offset are left out when they are [NoOffset] (and the offset
// of a send that was not acknowledged is always left out).
func (e Event) MarshalJSON() ([]byte, error) {
	w := wireEvent{Type: e.Type, Error: e.Error}
	if !e.Time.IsZero() {
		w.TS = e.Time.UnixMicro()
	}
	switch e.Type {
	case TypeSend:
		w.Producer, w.Seq, w.Status, w.Topic = &e.Producer, &e.Seq, e.Status, e.Topic
		w.Partition = known(e.Partition)
		if e.Status == StatusOK {
			w.Offset = known(e.Offset)
		}
		w.LatencyUS = e.Latency.Microseconds()
	case TypeDeliver:
		w.Consumer, w.Topic = e.Consumer, e.Topic
		w.Partition, w.Offset = known(e.Partition), known(e.Offset)
		if e.ValueStatus == "" || e.ValueStatus == ValueOK {
			w.Producer, w.Seq = &e.Producer, &e.Seq
		} else {
			w.ValueStatus = e.ValueStatus
		}
	case TypeAbort:
		w.Topic, w.Partition, w.Offset = e.Topic, known(e.Partition), known(e.Offset)
		if e.LastOffset > e.Offset {
			w.LastOffset = &e.LastOffset
		}
	case TypeFault:
		w.Name, w.Phase, w.Target, w.AtRisk = e.Name, e.Phase, e.Target, e.AtRisk
	case TypeMeta:
		w.Version, w.Semantics, w.Settings, w.Run = max(e.Version, Version), e.Semantics, e.Settings, e.Run
		w.Faults, w.MinWindows = e.Faults, e.MinWindows
		if e.Workers > 0 {
			w.Worker, w.Workers = &e.Worker, e.Workers
		}
	case TypeAssign, TypeRevoke:
		w.Consumer, w.Topic, w.Partitions = e.Consumer, e.Topic, e.Partitions
	case TypeSeek:
		w.Consumer, w.Topic, w.Partition, w.Offset = e.Consumer, e.Topic, known(e.Partition), known(e.Offset)
	case TypeCommit:
		w.Status, w.Consumer, w.Topic = e.Status, e.Consumer, e.Topic
		w.Partition, w.Offset = known(e.Partition), known(e.Offset)
	case TypeEnd:
		w.Outcome, w.Reason = e.Outcome, e.Reason
	case TypeTxn:
		w.Txn, w.Outcome, w.Consumer, w.Topic, w.Count = e.Txn, e.Outcome, e.Consumer, e.Topic, e.Count
		w.Partition, w.Offset = known(e.Partition), known(e.Offset)
		if e.LastOffset > e.Offset {
			w.LastOffset = &e.LastOffset
		}
	}
	return output.MarshalJSON(w)
}

// UnmarshalJSON decodes one history line into e and validates it (see
// [Event.Validate]). Absent partitions and offsets become [NoOffset]; a key
// the format does not define, in the wrong case or given twice is an error
// (see [ReadOptions]). Its errors for well-formed JSON that is not a valid
// event match [kqerr.ErrUsage].
func (e *Event) UnmarshalJSON(b []byte) error { return e.decode(b, false) }

// decode is UnmarshalJSON without the encoding/json round trip that calling
// it through json.Unmarshal costs; lenient skips the key check.
func (e *Event) decode(b []byte, lenient bool) error {
	if !lenient {
		if err := checkKeys(b); err != nil {
			return err
		}
	}
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	return e.fromWire(&w)
}

// fromWire fills e from w and validates it.
func (e *Event) fromWire(w *wireEvent) error {
	if err := w.requireValue(); err != nil {
		return err
	}
	*e = Event{
		Type: w.Type, Time: w.Time, Status: w.Status, Error: w.Error,
		Latency:  time.Duration(w.LatencyUS) * time.Microsecond,
		Consumer: w.Consumer, ValueStatus: w.ValueStatus,
		Topic: w.Topic, Partition: orNo(w.Partition), Offset: orNo(w.Offset), LastOffset: orNo(w.LastOffset),
		Partitions: w.Partitions,
		Name:       w.Name, Phase: w.Phase, Target: w.Target, AtRisk: w.AtRisk,
		Outcome: w.Outcome, Reason: w.Reason, Txn: w.Txn, Count: w.Count,
		Version: w.Version, Semantics: w.Semantics, Settings: w.Settings, Run: w.Run,
		Faults: w.Faults, MinWindows: w.MinWindows, Workers: w.Workers,
	}
	if w.Worker != nil {
		e.Worker = *w.Worker
		if w.Workers == 0 {
			return kqerr.Usagef("meta event has a worker but no workers")
		}
	}
	if w.TS != 0 {
		e.Time = time.UnixMicro(w.TS).UTC()
	}
	if w.Producer != nil {
		e.Producer = *w.Producer
	}
	if w.Seq != nil {
		e.Seq = *w.Seq
	}
	if w.LastOffset != nil && *w.LastOffset < e.Offset {
		return kqerr.Usagef("%s event has last_offset %d before offset %d", w.Type, *w.LastOffset, e.Offset)
	}
	if w.AtRisk < 0 || w.MinWindows < 0 || w.Count < 0 {
		return kqerr.Usagef("%s event has a negative at_risk, min_windows or count", w.Type)
	}
	if w.LatencyUS < 0 {
		return kqerr.Usagef("%s event has a negative latency_us", w.Type)
	}
	return e.Validate()
}

// requireValue checks that a send, or a delivery of a kq value, names its
// value: producer 0 and seq 0 are a real value, so absence must be caught.
func (w *wireEvent) requireValue() error {
	named := w.Type == TypeSend ||
		(w.Type == TypeDeliver && (w.ValueStatus == "" || w.ValueStatus == ValueOK))
	if !named {
		return nil
	}
	if w.Producer == nil || w.Seq == nil {
		return kqerr.Usagef("%s event needs producer and seq", w.Type)
	}
	return nil
}

// known returns a pointer to v, or nil when v is negative (not known).
func known[T int32 | int64](v T) *T {
	if v < 0 {
		return nil
	}
	return &v
}

// orNo returns *p, or NoOffset when p is nil.
func orNo[T int32 | int64](p *T) T {
	if p == nil {
		return NoOffset
	}
	return *p
}
