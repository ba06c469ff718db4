package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestJSONDoesNotEscapeHTML: kq's JSON writes <, > and & as they are, so a
// fault label such as "delay<5ms" reads back the same in -o json.
func TestJSONDoesNotEscapeHTML(t *testing.T) {
	s := Series{
		BucketWidth: time.Second,
		Faults:      []FaultWindow{{Name: "delay<5ms>&", Target: "n<1>", Start: time.Second, End: 2 * time.Second}},
		Markers:     []Marker{{Anomaly: "lost", Label: "0/1 t/0@<2>", At: time.Second}},
		Buckets:     []Bucket{{At: time.Second}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{`"delay<5ms>&"`, `"n<1>"`, `"0/1 t/0@<2>"`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON lacks %s unescaped:\n%s", want, got)
		}
	}
	if strings.Contains(got, `\u003c`) || strings.Contains(got, `\u0026`) {
		t.Errorf("JSON escapes HTML:\n%s", got)
	}
}
