package report

import (
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/check"
)

// A history as a user's application would write it: JSON lines, times in
// Unix microseconds.
const userHistory = `{"type":"meta","version":2,"semantics":"at-least-once"}
{"type":"send","producer":0,"seq":0,"status":"ok","topic":"t","partition":0,"offset":0,"ts":1000000,"latency_us":3000}
{"type":"send","producer":0,"seq":1,"status":"ok","topic":"t","partition":0,"offset":1,"ts":1500000,"latency_us":5000}
{"type":"fault","name":"leader-move","phase":"start","target":"t/0","ts":1400000}
{"type":"fault","name":"leader-move","phase":"end","target":"t/0","ts":2600000}
{"type":"deliver","consumer":"c","topic":"t","partition":0,"offset":0,"producer":0,"seq":0,"ts":3100000}
{"type":"end","outcome":"complete","ts":3200000}
`

func TestReadBuildsTheSeriesAndExamplesOfAHistory(t *testing.T) {
	res, err := check.Read(strings.NewReader(userHistory), "", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.Unseen != 1 {
		t.Fatalf("the checker found %d unseen, want 1: the test's history is wrong", res.Counts.Unseen)
	}
	watch := []Watch{{Anomaly: check.AnomalyUnseen, Count: res.Counts.Unseen, Examples: res.Counts.Examples[check.AnomalyUnseen]}}
	s, as, err := Read(strings.NewReader(userHistory), Options{}, watch, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Buckets) != 3 || s.Buckets[0].Acks != 2 || s.Buckets[2].Deliveries != 1 || s.Buckets[2].Lag != 1 {
		t.Errorf("buckets %+v", s.Buckets)
	}
	if len(s.Faults) != 1 || s.Faults[0].Start != 403*time.Millisecond || s.Faults[0].End != 1603*time.Millisecond || s.Untimed != 0 {
		t.Errorf("faults %+v", s.Faults)
	}
	want := ExampleRow{Value: "0/1", Where: "t/0@1", Sent: "+0.498s", Acked: "+0.503s", Delivered: "–", Faults: "leader-move t/0", Detail: "acknowledged, never delivered, and nothing after it in its partition was read"}
	if len(as) != 1 || len(as[0].Examples) != 1 || as[0].Examples[0] != want {
		t.Fatalf("anomalies %+v, want unseen with %+v", as, want)
	}
	if len(s.Markers) != 1 || s.Markers[0].At != 498*time.Millisecond {
		t.Errorf("markers %+v, want the unseen value at its send time, 0.498s", s.Markers)
	}
}

func TestReadRejectsABrokenHistory(t *testing.T) {
	if _, _, err := Read(strings.NewReader("{\"type\":\"send\"}\n"), Options{}, nil, nil); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want an error naming line 1", err)
	}
}
