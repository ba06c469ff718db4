package groups

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

func samplePlan() Plan {
	return Plan{Group: "g", Mode: ToOffset, State: StateEmpty, Partitions: []PlanEntry{
		{TopicPartition: tp0, Current: 5, New: 1},
		{TopicPartition: offsets.TopicPartition{Topic: "u", Partition: 3}, Current: offsets.NoOffset, New: 7, Clamped: "log end"},
	}, Warnings: []string{}}
}

// targets drops what a plan file does not carry back: current offsets and
// clamp notes.
func targets(es []PlanEntry) []PlanEntry {
	out := make([]PlanEntry, len(es))
	for i, e := range es {
		out[i] = PlanEntry{TopicPartition: e.TopicPartition, Current: offsets.NoOffset, New: e.New}
	}
	return out
}

func TestPlanFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"plan.json", "plan.csv", "PLAN.CSV"} {
		path := filepath.Join(dir, name)
		if err := WritePlanFile(path, samplePlan()); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
		got, err := ReadPlanFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if want := targets(samplePlan().Partitions); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read %+v, want %+v", name, got, want)
		}
	}
}

func TestWritePlanCSVIsKafkaFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePlan(&buf, PlanCSV, samplePlan()); err != nil {
		t.Fatal(err)
	}
	if want := "t,0,1\nu,3,7\n"; buf.String() != want {
		t.Errorf("csv = %q, want %q", buf.String(), want)
	}
}

func TestReadPlanAccepts(t *testing.T) {
	want := []PlanEntry{{TopicPartition: tp0, Current: offsets.NoOffset, New: 4}, {TopicPartition: tp1, Current: offsets.NoOffset, New: 0}}
	inputs := []struct {
		format PlanFormat
		text   string
	}{
		{PlanCSV, "t,0,4\nt,1,0\n"},
		{PlanCSV, "topic,partition,offset\n t, 0 ,4\nt,1,0"},
		{PlanJSON, `[{"topic":"t","partition":0,"new_offset":4},{"topic":"t","partition":1,"new_offset":0}]`},
		{PlanJSON, `{"group":"g","partitions":[{"topic":"t","partition":0,"current_offset":null,"new_offset":4},{"topic":"t","partition":1,"new_offset":0}]}`},
	}
	for _, in := range inputs {
		got, err := ReadPlan(strings.NewReader(in.text), in.format)
		if err != nil {
			t.Errorf("ReadPlan(%q): %v", in.text, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ReadPlan(%q) = %+v, want %+v", in.text, got, want)
		}
	}
}

func TestReadPlanRejects(t *testing.T) {
	bad := []struct {
		format PlanFormat
		text   string
		msg    string
	}{
		{PlanCSV, "t,0,4\nt,x,5\n", "line 2: bad topic or partition"},
		{PlanCSV, "t,0,4\n\nt,1,-5\n", "line 3: bad offset"},
		{PlanCSV, "t,0\n", "line 1: want 3 fields"},
		{PlanCSV, "g,t,0,4\n", "line 1: want 3 fields"},
		{PlanCSV, "", "no entries"},
		{PlanCSV, "t,0,1\nt,0,2\n", "t/0 appears twice"},
		{PlanJSON, "{\n \"partitions\": [\n  {\"topic\": \"t\" \"partition\": 0}\n]}", "line 3"},
		{PlanJSON, `[{"topic":"t","partition":0}]`, "entry 1: want topic, partition and new_offset"},
		{PlanJSON, `[{"topic":"t","partition":0,"new_offset":null}]`, "entry 1"},
		{PlanJSON, "{\n\"partitions\": [{\"topic\":\"t\",\"partition\":\"zero\",\"new_offset\":1}]}", "line 2"},
		{PlanJSON, `{"partitions":[]}`, "no entries"},
	}
	for _, b := range bad {
		_, err := ReadPlan(strings.NewReader(b.text), b.format)
		if err == nil || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("ReadPlan(%q) error = %v, want it to contain %q", b.text, err, b.msg)
		}
	}
}

func TestReadPlanFileErrorsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("t,0,1\nt,0,x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.json"), filepath.Join(dir, "plan.txt")} {
		_, err := ReadPlanFile(path)
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ReadPlanFile(%s) = %v, want a usage error", path, err)
		}
		if err != nil && !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("error %q does not name the file", err)
		}
	}
	_, err := ReadPlanFile(bad)
	if want := "plan file " + bad + ": line 2: bad offset"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
}
