package chaos

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExecRunsStartAndEnd(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "trace")
	var log strings.Builder
	x := &ExecFault{
		Start: `echo "$KQ_FAULT_PHASE $KQ_FAULT_TARGET" >> ` + file + `; echo started`,
		End:   `echo "$KQ_FAULT_PHASE $KQ_FAULT_TARGET" >> ` + file,
		Log:   &log,
	}
	heal, err := x.Inject(context.Background(), Fault{Kind: Exec, Target: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := heal(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil || string(got) != "start 2\nend 2\n" {
		t.Fatalf("trace = %q, %v", got, err)
	}
	if log.String() != "exec start: started\n" {
		t.Fatalf("log = %q", log.String())
	}
}

func TestExecReportsFailure(t *testing.T) {
	x := &ExecFault{Start: "echo first; echo 'no such service' >&2; exit 3"}
	_, err := x.Inject(context.Background(), Fault{Kind: Exec})
	if err == nil || !strings.Contains(err.Error(), "status 3") || !strings.Contains(err.Error(), "no such service") {
		t.Fatalf("err = %v", err)
	}
}

func TestExecTimesOut(t *testing.T) {
	x := &ExecFault{Start: "sleep 30", Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := x.Inject(context.Background(), Fault{Kind: Exec})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("the command was not killed")
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	b := &tailBuffer{max: 4}
	b.Write([]byte("abc"))
	b.Write([]byte("defg"))
	if string(b.Bytes()) != "defg" {
		t.Fatalf("kept %q", b.Bytes())
	}
}
