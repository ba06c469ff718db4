package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kq-dev/kq/verify/history"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestRecorderConcurrentFeedsChecker(t *testing.T) {
	const workers, perWorker = 4, 200
	var buf bytes.Buffer
	online := New(Options{})
	rec := history.NewRecorder(&buf, online)
	var wg sync.WaitGroup
	for w := range uint32(workers) {
		wg.Go(func() {
			for seq := range uint64(perWorker) {
				off := int64(seq)
				if err := rec.Record(ack(w, seq, int32(w), off)); err != nil {
					t.Error(err)
					return
				}
				if seq%50 == 7 { // a lost value per 50
					continue
				}
				if err := rec.Record(del(w, seq, int32(w), off)); err != nil {
					t.Error(err)
					return
				}
				rec.Hold(func() { _ = online.Result() }) // safe alongside Record
			}
		})
	}
	wg.Wait()
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	offline, err := Read(&buf, AtLeastOnce, Options{})
	if err != nil {
		t.Fatal(err)
	}
	on := online.Result()
	if on.Lost != workers*perWorker/50 || on.Sent != workers*perWorker {
		t.Errorf("online counts %+v", countsOnly(on))
	}
	if !reflect.DeepEqual(countsOnly(on), countsOnly(offline.Counts)) {
		t.Errorf("online and offline counts differ:\n%+v\n%+v", countsOnly(on), countsOnly(offline.Counts))
	}
}

func TestCheckHistory(t *testing.T) {
	var lines []string
	add := func(e history.Event) {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	add(history.Event{Type: history.TypeMeta, Semantics: string(AtMostOnce)})
	add(history.Event{Type: history.TypeFault, Name: "crash-consumer"})
	for _, e := range join(ackDel(0, 0, 0, 0), []history.Event{ack(0, 1, 0, 1)}, []history.Event{del(0, 0, 0, 0)}, ended) {
		add(e)
	}
	hist := strings.Join(lines, "\n")

	for _, tc := range []struct {
		s        Semantics
		wantHeld bool
		wantRule Rule
	}{
		{"", false, RuleNoRedeliveries}, // the meta line's at-most-once
		{AtLeastOnce, false, RuleNoUnseen},
		{"AT-MOST-ONCE", false, RuleNoRedeliveries},
	} {
		res, err := Read(strings.NewReader(hist), tc.s, Options{})
		if err != nil {
			t.Fatalf("Read(%q): %v", tc.s, err)
		}
		if res.Meta == nil || res.Meta.Semantics != string(AtMostOnce) || len(res.Faults) != 1 {
			t.Errorf("Read(%q): meta %+v, faults %+v", tc.s, res.Meta, res.Faults)
		}
		v := res.Verdict
		if v.Held != tc.wantHeld || len(v.Violations) != 1 || v.Violations[0].Rule != tc.wantRule {
			t.Errorf("Read(%q): verdict %+v, want only %s", tc.s, v, tc.wantRule)
		}
	}
}

// ended is the end line of a complete run.
var ended = []history.Event{{Type: history.TypeEnd, Outcome: history.OutcomeComplete}}

func TestCheckHistoryNeedsSemantics(t *testing.T) {
	in := `{"type":"fault","name":"x"}`
	for _, s := range []Semantics{"", "twice"} {
		_, err := Read(strings.NewReader(in), s, Options{})
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("semantics %q: error %v, want a usage error", s, err)
		}
	}
}

func TestCheckFile(t *testing.T) {
	path := t.TempDir() + "/history.jsonl"
	var buf bytes.Buffer
	rec := history.NewRecorder(&buf, nil)
	for _, e := range join([]history.Event{{Type: history.TypeMeta, Semantics: string(ExactlyOnce)}}, ackDel(0, 0, 0, 0), ackDel(0, 1, 0, 1), ended) {
		if err := rec.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := File(path, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Verdict.Held || res.Verdict.Semantics != ExactlyOnce || res.Counts.Delivered != 2 {
		t.Errorf("File: %+v", res)
	}
	if _, err := File(path+".missing", "", Options{}); err == nil || errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("missing file: error %v, want a plain error", err)
	}
}

func FuzzReadHistory(f *testing.F) {
	for _, line := range []string{
		`{"type":"meta","version":2,"semantics":"at-least-once"}`,
		`{"type":"send","producer":2,"seq":0,"status":"ok","topic":"t","partition":1,"offset":0}`,
		`{"type":"send","producer":2,"seq":1,"status":"ok","topic":"t","partition":1}`,
		`{"type":"deliver","producer":2,"seq":0,"consumer":"c0","topic":"t","partition":1,"offset":0}`,
		`{"type":"commit","status":"ok","consumer":"c0","topic":"t","partition":1,"offset":1}`,
		`{"type":"abort","topic":"t","partition":1,"offset":5,"last_offset":8}`,
		`{"type":"end","outcome":"complete"}`,
	} {
		f.Add([]byte(line))
	}
	f.Add([]byte(`{"type":"abort","partition":0,"offset":0,"last_offset":9223372036854775807}` + "\n" +
		`{"type":"deliver","producer":1,"seq":18446744073709551615,"partition":2147483647,"offset":9223372036854775807}`))
	f.Add([]byte("{\"type\":\"send\"}\n\x00\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := New(Options{})
		n := 0
		err := history.Read(bytes.NewReader(in), func(e history.Event) error {
			n++
			if err := e.Validate(); err != nil {
				return fmt.Errorf("ReadHistory passed an invalid event: %w", err)
			}
			return c.Add(e)
		})
		if err != nil && !errors.Is(err, kqerr.ErrUsage) {
			t.Fatalf("non-usage error from an in-memory history: %v", err)
		}
		res := c.Result()
		if res.Sent+res.Delivered > uint64(n) {
			t.Fatalf("counted %d sends and deliveries from %d events", res.Sent+res.Delivered, n)
		}
		for _, s := range []Semantics{AtMostOnce, AtLeastOnce, ExactlyOnce} {
			Judge(res, s, c.Evidence())
		}
	})
}
