package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/seqmsg"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 123456789, time.UTC)

// TestEventJSON pins the history format: it is a contract users write to.
func TestEventJSON(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want string
	}{{
		Event{Type: TypeMeta, Semantics: "exactly-once", Run: "kq-verify-1", Settings: map[string]string{"acks": "all"}},
		`{"type":"meta","version":3,"semantics":"exactly-once","run":"kq-verify-1","settings":{"acks":"all"}}`,
	}, {
		Event{Type: TypeMeta, Semantics: "at-least-once", Run: "kq-verify-n", Worker: 0, Workers: 3},
		`{"type":"meta","version":3,"semantics":"at-least-once","run":"kq-verify-n","worker":0,"workers":3}`,
	}, {
		Event{Type: TypeSend, Producer: 0, Seq: 7, Status: StatusOK, Topic: "t", Partition: 2, Offset: 41, Time: t0, Latency: 2150 * time.Microsecond},
		`{"type":"send","producer":0,"seq":7,"status":"ok","topic":"t","partition":2,"offset":41,"latency_us":2150,"ts":1793534400123456}`,
	}, {
		Event{Type: TypeSend, Producer: 0, Seq: 9, Status: StatusOK, Topic: "t", Partition: 2, Offset: NoOffset},
		`{"type":"send","producer":0,"seq":9,"status":"ok","topic":"t","partition":2}`,
	}, {
		Event{Type: TypeSend, Producer: 1, Seq: 8, Status: StatusInfo, Topic: "t", Partition: NoOffset, Offset: 99, Error: "timed out"},
		`{"type":"send","producer":1,"seq":8,"status":"info","topic":"t","error":"timed out"}`,
	}, {
		Event{Type: TypeSend, Producer: 1, Seq: 9, Status: StatusFail, Partition: 3, Offset: NoOffset},
		`{"type":"send","producer":1,"seq":9,"status":"fail","partition":3}`,
	}, {
		Event{Type: TypeDeliver, Consumer: "c1", Topic: "t", Partition: 0, Offset: 0, Producer: 0, Seq: 0},
		`{"type":"deliver","producer":0,"seq":0,"consumer":"c1","topic":"t","partition":0,"offset":0}`,
	}, {
		Event{Type: TypeDeliver, Topic: "t", Partition: 2, Offset: 42, ValueStatus: ValueUnknown, Producer: 5},
		`{"type":"deliver","topic":"t","partition":2,"offset":42,"value_status":"unknown"}`,
	}, {
		Event{Type: TypeAbort, Topic: "out", Partition: 0, Offset: 100, LastOffset: 109},
		`{"type":"abort","topic":"out","partition":0,"offset":100,"last_offset":109}`,
	}, {
		Event{Type: TypeAbort, Topic: "out", Partition: 0, Offset: 100},
		`{"type":"abort","topic":"out","partition":0,"offset":100}`,
	}, {
		Event{Type: TypeFault, Name: "leader-move", Phase: PhaseStart, Target: "t/2"},
		`{"type":"fault","name":"leader-move","phase":"start","target":"t/2"}`,
	}, {
		Event{Type: TypeAssign, Consumer: "c0/1", Topic: "t", Partitions: []int32{0, 2, 4}, Partition: NoOffset, Offset: NoOffset},
		`{"type":"assign","consumer":"c0/1","topic":"t","partitions":[0,2,4]}`,
	}, {
		Event{Type: TypeRevoke, Consumer: "c0/1", Topic: "t"},
		`{"type":"revoke","consumer":"c0/1","topic":"t"}`,
	}, {
		Event{Type: TypeSeek, Consumer: "c0/1", Topic: "t", Partition: 2, Offset: 40},
		`{"type":"seek","consumer":"c0/1","topic":"t","partition":2,"offset":40}`,
	}, {
		Event{Type: TypeCommit, Status: StatusOK, Consumer: "c0/1", Topic: "t", Partition: 2, Offset: 42},
		`{"type":"commit","status":"ok","consumer":"c0/1","topic":"t","partition":2,"offset":42}`,
	}, {
		Event{Type: TypeEnd, Outcome: OutcomeFailed, Reason: "drain timed out"},
		`{"type":"end","outcome":"failed","reason":"drain timed out"}`,
	}, {
		Event{Type: TypeTxn, Txn: "copy-0/0@40", Outcome: OutcomeCommitted, Topic: "out", Partition: 0, Offset: 50, LastOffset: 59, Count: 10},
		`{"type":"txn","topic":"out","partition":0,"offset":50,"last_offset":59,"outcome":"committed","txn":"copy-0/0@40","count":10}`,
	}, {
		Event{Type: TypeTxn, Txn: "copy-0/0@40", Outcome: OutcomeCommitted, Consumer: "copier 0", Topic: "in", Partition: 0, Offset: 40, LastOffset: 49, Count: 10},
		`{"type":"txn","consumer":"copier 0","topic":"in","partition":0,"offset":40,"last_offset":49,"outcome":"committed","txn":"copy-0/0@40","count":10}`,
	}} {
		b, err := json.Marshal(tc.e)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", tc.e, err)
		}
		if string(b) != tc.want {
			t.Errorf("Marshal(%+v)\n got %s\nwant %s", tc.e, b, tc.want)
		}
	}
}

func TestEventJSONDefaults(t *testing.T) {
	var e Event
	if err := json.Unmarshal([]byte(`{"type":"send","producer":1,"seq":2,"status":"info"}`), &e); err != nil {
		t.Fatal(err)
	}
	want := Event{Type: TypeSend, Producer: 1, Seq: 2, Status: StatusInfo, Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got %+v\nwant %+v", e, want)
	}
}

// TestEventJSONVersion1Time reads a version 1 line, whose time is RFC 3339.
func TestEventJSONVersion1Time(t *testing.T) {
	var e Event
	in := `{"type":"fault","name":"x","time":"2026-11-01T12:00:00.123456789Z"}`
	if err := json.Unmarshal([]byte(in), &e); err != nil {
		t.Fatal(err)
	}
	if !e.Time.Equal(t0) {
		t.Errorf("time %v, want %v", e.Time, t0)
	}
}

func TestNewDelivery(t *testing.T) {
	good := seqmsg.Encode(nil, seqmsg.Value{Producer: 4, Seq: 77}, 64)
	broken := slices.Clone(good)
	broken[len(broken)-1] ^= 1
	var dec seqmsg.Decoder
	for _, tc := range []struct {
		value []byte
		want  Event
	}{
		{good, Event{Type: TypeDeliver, Consumer: "c", Topic: "t", Partition: 1, Offset: 9, Producer: 4, Seq: 77}},
		{broken, Event{Type: TypeDeliver, Consumer: "c", Topic: "t", Partition: 1, Offset: 9, ValueStatus: ValueCorrupt}},
		{[]byte("hello"), Event{Type: TypeDeliver, Consumer: "c", Topic: "t", Partition: 1, Offset: 9, ValueStatus: ValueUnknown}},
	} {
		if got := NewDelivery("c", "t", 1, 9, tc.value); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("NewDelivery(%q) = %+v, want %+v", tc.value, got, tc.want)
		}
		// AppendDelivery into a reused array, with a Decoder and without:
		// nothing of the event the slot held before is left.
		for _, d := range []*seqmsg.Decoder{nil, &dec} {
			stale := []Event{{Type: TypeSend, Status: StatusOK, Error: "x", Latency: 5, Producer: 8, Seq: 3, ValueStatus: ValueUnknown, Partitions: []int32{2}}}
			got := AppendDelivery(stale[:0], d, "c", "t", 1, 9, tc.value)
			if len(got) != 1 || &got[0] != &stale[0] || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("AppendDelivery(%q, decoder %t) = %+v, want %+v in the array given", tc.value, d != nil, got, tc.want)
			}
		}
	}
}

func TestReadHistoryErrors(t *testing.T) {
	good := `{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0}`
	for _, tc := range []struct {
		name, line, want string
	}{
		{"not json", `{"type":`, "not a history event"},
		{"not an object", `[1,2]`, "not a history event"},
		{"no type", `{"producer":1}`, "no type"},
		{"unknown type", `{"type":"commitment"}`, `unknown event type "commitment"`},
		{"commit without status", `{"type":"commit","consumer":"c","partition":0,"offset":1}`, "no status"},
		{"commit without offset", `{"type":"commit","status":"ok","consumer":"c","partition":0}`, "offset"},
		{"seek without partition", `{"type":"seek","consumer":"c","offset":1}`, "partition"},
		{"assign without consumer", `{"type":"assign","topic":"t","partitions":[1]}`, "no consumer"},
		{"assign negative partition", `{"type":"assign","consumer":"c","topic":"t","partitions":[-1]}`, "negative partition"},
		{"end without outcome", `{"type":"end"}`, "no outcome"},
		{"end bad outcome", `{"type":"end","outcome":"meh"}`, "unknown outcome"},
		{"txn without id", `{"type":"txn","outcome":"committed","partition":0,"offset":1}`, "no txn id"},
		{"txn without outcome", `{"type":"txn","txn":"a","partition":0,"offset":1}`, "no outcome"},
		{"txn bad outcome", `{"type":"txn","txn":"a","outcome":"complete","partition":0,"offset":1}`, "unknown outcome"},
		{"txn negative count", `{"type":"txn","txn":"a","outcome":"committed","partition":0,"offset":1,"count":-1}`, "negative"},
		{"txn without offset", `{"type":"txn","txn":"a","outcome":"committed","partition":0}`, "offset"},
		{"txn range backwards", `{"type":"txn","txn":"a","outcome":"aborted","partition":0,"offset":10,"last_offset":9}`, "last_offset 9 before offset 10"},
		{"negative latency", `{"type":"send","producer":0,"seq":0,"status":"info","latency_us":-1}`, "negative latency_us"},
		{"bad status", `{"type":"send","producer":0,"seq":0,"status":"maybe"}`, "unknown status"},
		{"no status", `{"type":"send","producer":0,"seq":0}`, "no status"},
		{"ok offset without partition", `{"type":"send","producer":0,"seq":0,"status":"ok","offset":3}`, "partition"},
		{"send without seq", `{"type":"send","producer":0,"status":"info"}`, "needs producer and seq"},
		{"deliver without producer", `{"type":"deliver","seq":0,"partition":0,"offset":1}`, "needs producer and seq"},
		{"deliver without partition", `{"type":"deliver","producer":0,"seq":0,"offset":1}`, "partition"},
		{"negative offset", `{"type":"deliver","producer":0,"seq":0,"partition":0,"offset":-5}`, "negative offset"},
		{"bad value status", `{"type":"deliver","value_status":"weird","partition":0,"offset":1}`, "value_status"},
		{"wrong field type", `{"type":"send","producer":"zero","seq":0,"status":"info"}`, "not a history event"},
		{"negative producer", `{"type":"send","producer":-1,"seq":0,"status":"info"}`, "not a history event"},
		{"abort range backwards", `{"type":"abort","partition":0,"offset":10,"last_offset":9}`, "last_offset 9 before offset 10"},
		{"fault without name", `{"type":"fault","phase":"start"}`, "no name"},
		{"fault bad phase", `{"type":"fault","name":"x","phase":"middle"}`, "unknown phase"},
		{"meta from the future", `{"type":"meta","version":4}`, "version 4"},
		{"worker without workers", `{"type":"meta","worker":1}`, "no workers"},
		{"worker out of range", `{"type":"meta","worker":3,"workers":3}`, "worker 3 of 3"},
		{"negative workers", `{"type":"meta","worker":0,"workers":-2}`, "worker 0 of -2"},
		{"typo in a key", `{"type":"abort","partition":0,"offset":10,"last_ofset":19}`, `unknown key "last_ofset"`},
		{"key in the wrong case", `{"type":"send","Producer":0,"seq":0,"status":"info"}`, `unknown key "Producer"`},
		{"key twice", `{"type":"send","producer":0,"seq":0,"seq":1,"status":"info"}`, `key "seq" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good + "\n\n" + tc.line + "\n" + good + "\n"
			calls := 0
			err := Read(strings.NewReader(in), func(Event) error { calls++; return nil })
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, kqerr.ErrUsage) {
				t.Errorf("error %q is not a usage error", err)
			}
			if !strings.Contains(err.Error(), "history line 3:") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name line 3 and %q", err, tc.want)
			}
			if calls != 1 {
				t.Errorf("fn called %d times before the bad line, want 1", calls)
			}
		})
	}
}

// TestReadLenient keeps the old tolerance: unknown keys ignored, the last
// of a duplicated key taken, keys matched in any case.
func TestReadLenient(t *testing.T) {
	in := `{"type":"abort","partition":0,"offset":10,"last_ofset":19,"Offset":11,"offset":12}`
	var got []Event
	err := ReadWith(strings.NewReader(in), ReadOptions{Lenient: true}, func(e Event) error { got = append(got, e); return nil })
	if err != nil || len(got) != 1 || got[0].Offset != 12 || got[0].AbortEnd() != 12 {
		t.Fatalf("lenient read: %v, %+v", err, got)
	}
	if err := Read(strings.NewReader(in), func(Event) error { return nil }); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("strict read of the same line: %v, want a usage error", err)
	}
}

func TestReadHistoryLineTooLong(t *testing.T) {
	in := "\n" + `{"type":"fault","name":"` + strings.Repeat("x", MaxLineSize) + `"}` + "\n"
	err := Read(strings.NewReader(in), func(Event) error { return nil })
	if !errors.Is(err, kqerr.ErrUsage) || !strings.Contains(err.Error(), "history line 2:") {
		t.Errorf("error %v, want a usage error naming line 2", err)
	}
}

func TestReadHistoryCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	in := `{"type":"fault","name":"a"}` + "\n" + `{"type":"fault","name":"b"}` + "\n"
	err := Read(strings.NewReader(in), func(e Event) error {
		if e.Name == "b" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "history line 2") {
		t.Errorf("error %v, want %v wrapped with line 2", err, stop)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadHistoryReadError(t *testing.T) {
	boom := errors.New("disk gone")
	err := Read(failingReader{boom}, func(Event) error { return nil })
	if !errors.Is(err, boom) || errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("error %v, want %v wrapped and not a usage error", err, boom)
	}
}

// sampleHistory has one event of every shape.
func sampleHistory() []Event {
	return []Event{
		{Type: TypeMeta, Version: Version, Semantics: "at-least-once", Run: "r1", Settings: map[string]string{"acks": "all", "partitions": "3"},
			Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeFault, Name: "drop-response", Phase: PhaseStart, Target: "broker 1", Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeSend, Producer: 2, Seq: 0, Status: StatusOK, Topic: "t", Partition: 1, Offset: 0, LastOffset: NoOffset, Latency: 3 * time.Millisecond},
		{Type: TypeSend, Producer: 2, Seq: 3, Status: StatusOK, Topic: "t", Partition: 1, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeAssign, Consumer: "c0", Topic: "t", Partitions: []int32{0, 1}, Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeSeek, Consumer: "c0", Topic: "t", Partition: 1, Offset: 0, LastOffset: NoOffset},
		{Type: TypeCommit, Status: StatusInfo, Error: "timed out", Consumer: "c0", Topic: "t", Partition: 1, Offset: 1, LastOffset: NoOffset},
		{Type: TypeRevoke, Consumer: "c0", Topic: "t", Partitions: []int32{0, 1}, Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeSend, Producer: 2, Seq: 1, Status: StatusInfo, Topic: "t", Partition: 1, Offset: NoOffset, LastOffset: NoOffset, Error: "response lost"},
		{Type: TypeSend, Producer: 2, Seq: 2, Status: StatusFail, Topic: "t", Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset, Error: "too large"},
		{Type: TypeDeliver, Consumer: "c0", Producer: 2, Seq: 0, Topic: "t", Partition: 1, Offset: 0, LastOffset: NoOffset},
		{Type: TypeDeliver, Consumer: "c0", Producer: 2, Seq: 0, Topic: "t", Partition: 1, Offset: 0, LastOffset: NoOffset},
		{Type: TypeDeliver, Consumer: "c1", ValueStatus: ValueCorrupt, Topic: "t", Partition: 1, Offset: 1, LastOffset: NoOffset},
		{Type: TypeAbort, Topic: "t", Partition: 1, Offset: 5, LastOffset: 8},
		{Type: TypeTxn, Txn: "x/1", Outcome: OutcomeCommitted, Topic: "t", Partition: 1, Offset: 10, LastOffset: 12, Count: 3},
		{Type: TypeFault, Name: "drop-response", Phase: PhaseEnd, Target: "broker 1", Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
		{Type: TypeEnd, Outcome: OutcomeInterrupted, Reason: "interrupted", Partition: NoOffset, Offset: NoOffset, LastOffset: NoOffset},
	}
}

func TestRecorderRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	want := sampleHistory()
	rec := NewRecorder(&buf, nil)
	for i, e := range want {
		want[i].Time = t0.Add(time.Duration(i) * time.Millisecond).Truncate(time.Microsecond)
		if err := rec.Record(want[i]); err != nil {
			t.Fatalf("Record(%+v): %v", e, err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Event
	if err := Read(&buf, func(e Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, want)
	}
}

func TestRecorderRejectsInvalidAndClosed(t *testing.T) {
	var buf bytes.Buffer
	rec := NewRecorder(&buf, nil)
	if err := rec.Record(Event{Type: TypeSend, Status: "maybe"}); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("invalid event: error %v, want a usage error", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("invalid event was written: %q", buf.String())
	}
	if err := rec.Record(Event{Type: TypeFault, Name: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
	if err := rec.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

type brokenWriter struct{ err error }

func (w brokenWriter) Write([]byte) (int, error) { return 0, w.err }

func TestRecorderWriteErrorSticks(t *testing.T) {
	full := errors.New("disk full")
	rec := NewRecorder(brokenWriter{full}, nil)
	if err := rec.Record(Event{Type: TypeFault, Name: "x"}); err != nil {
		t.Fatalf("buffered Record failed early: %v", err)
	}
	if err := rec.Flush(); !errors.Is(err, full) {
		t.Fatalf("Flush: %v, want %v", err, full)
	}
	if err := rec.Record(Event{Type: TypeFault, Name: "y"}); !errors.Is(err, full) {
		t.Errorf("Record after a write error: %v, want %v", err, full)
	}
	if err := rec.Close(); !errors.Is(err, full) {
		t.Errorf("Close after a write error: %v, want %v", err, full)
	}
}

func TestRecorderStampsTime(t *testing.T) {
	var buf bytes.Buffer
	rec := NewRecorder(&buf, nil)
	before := time.Now().Truncate(time.Microsecond)
	if err := rec.Record(Event{Type: TypeFault, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := rec.Flush(); err != nil {
		t.Fatal(err)
	}
	var e Event
	if err := json.Unmarshal(buf.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	if e.Time.Before(before) || e.Time.After(time.Now()) {
		t.Errorf("time %v not stamped at Record", e.Time)
	}
}

// collected is a sink that keeps what it is fed.
type collected []Event

func (c *collected) Feed(e *Event) error { *c = append(*c, *e); return nil }

// TestRecordAll: a run of events is written and fed in order as Record
// would, those without a time stamped alike; one invalid event keeps the
// whole run out.
func TestRecordAll(t *testing.T) {
	var buf bytes.Buffer
	var fed collected
	rec := NewRecorder(&buf, &fed)
	run := []Event{
		{Type: TypeDeliver, Consumer: "c0", Producer: 1, Seq: 0, Topic: "t", Partition: 0, Offset: 0},
		{Type: TypeDeliver, Consumer: "c0", Producer: 1, Seq: 1, Topic: "t", Partition: 0, Offset: 1, Time: t0},
		{Type: TypeDeliver, Consumer: "c0", Producer: 1, Seq: 2, Topic: "t", Partition: 0, Offset: 2},
	}
	before := time.Now()
	if err := rec.RecordAll(run); err != nil {
		t.Fatal(err)
	}
	if err := rec.RecordAll(append(slices.Clone(run), Event{Type: TypeSend, Status: "maybe"})); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("a run with an invalid event: error %v, want a usage error", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if len(fed) != len(run) {
		t.Fatalf("fed %d events, want the first run's %d alone", len(fed), len(run))
	}
	for i, e := range fed {
		if e.Offset != run[i].Offset {
			t.Errorf("event %d: offset %d, want %d (in order)", i, e.Offset, run[i].Offset)
		}
	}
	if !fed[1].Time.Equal(t0) {
		t.Errorf("a given time was replaced: %v", fed[1].Time)
	}
	if fed[0].Time.Before(before) || !fed[0].Time.Equal(fed[2].Time) {
		t.Errorf("times %v and %v: want both stamped at RecordAll, alike", fed[0].Time, fed[2].Time)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(run) {
		t.Errorf("%d lines written, want %d", lines, len(run))
	}
}

// TestRecordSendLatencyFromItsStamp: a send recorded with its handing time
// gets the time it is stamped with and the latency from the handing to
// it; one with a time of its own keeps it; without a handing time the
// latency is left alone. RecordSends, for sends learnt together, does the
// same.
func TestRecordSendLatencyFromItsStamp(t *testing.T) {
	one := func(rec *Recorder, es []Event, handed []time.Time) error {
		for i := range es {
			if err := rec.RecordSend(es[i], handed[i]); err != nil {
				return err
			}
		}
		return nil
	}
	all := func(rec *Recorder, es []Event, handed []time.Time) error { return rec.RecordSends(es, handed) }
	for name, record := range map[string]func(*Recorder, []Event, []time.Time) error{"RecordSend": one, "RecordSends": all} {
		var fed collected
		rec := NewRecorder(nil, &fed)
		handed := time.Now()
		at := Event{Type: TypeSend, Producer: 1, Seq: 1, Status: StatusInfo, Time: handed.Add(5 * time.Millisecond)}
		kept := NewSend(1, 2, StatusFail, "refused")
		kept.Latency = 7 * time.Millisecond
		if err := record(rec, []Event{NewSend(1, 0, StatusOK, ""), at, kept}, []time.Time{handed, handed, {}}); err != nil {
			t.Fatal(err)
		}
		if err := record(rec, []Event{{Type: TypeSend}}, []time.Time{handed}); err == nil {
			t.Errorf("%s: an invalid send was recorded", name)
		}
		if len(fed) != 3 {
			t.Fatalf("%s: fed %d events, want 3", name, len(fed))
		}
		if e := fed[0]; e.Time.Before(handed) || e.Latency != e.Time.Sub(handed) {
			t.Errorf("%s: stamped send: time %v, latency %v, want a time from %v on and the latency up to it", name, e.Time, e.Latency, handed)
		}
		if e := fed[1]; !e.Time.Equal(at.Time) || e.Latency != 5*time.Millisecond {
			t.Errorf("%s: send with a time: time %v, latency %v, want %v and 5ms", name, e.Time, e.Latency, at.Time)
		}
		if e := fed[2]; e.Latency != 7*time.Millisecond || e.Time.IsZero() {
			t.Errorf("%s: send without a handing time: latency %v, time %v, want 7ms and a stamp", name, e.Latency, e.Time)
		}
	}
	if err := NewRecorder(nil, nil).RecordSends(make([]Event, 2), make([]time.Time, 1)); err == nil {
		t.Error("RecordSends took 2 events with 1 handing time")
	}
}
