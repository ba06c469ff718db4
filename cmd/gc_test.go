package cmd

import (
	"runtime/debug"
	"testing"

	"github.com/kq-dev/kq/produce"
)

func lookupVars(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// gcSettings returns the current GOGC and memory limit without changing them.
func gcSettings() (int, int64) {
	pct := debug.SetGCPercent(100)
	debug.SetGCPercent(pct)
	return pct, debug.SetMemoryLimit(-1)
}

func TestTuneProduceGC(t *testing.T) {
	pct0, limit0 := gcSettings()
	s := produce.DefaultSettings()
	restore := tuneProduceGC(s, lookupVars(nil))
	pct, limit := gcSettings()
	restore()
	if want := 3*int64(s.BufferBytes) + 24<<20; pct != produceGCPercent || limit != want {
		t.Errorf("during the run: GOGC %d, limit %d; want %d, %d", pct, limit, produceGCPercent, want)
	}
	if pct, limit := gcSettings(); pct != pct0 || limit != limit0 {
		t.Errorf("after the run: GOGC %d, limit %d; want %d, %d restored", pct, limit, pct0, limit0)
	}

	txn := produce.DefaultSettings()
	txn.TransactionalID = "tx"
	for name, c := range map[string]struct {
		s   produce.Settings
		env map[string]string
	}{
		"GOGC set":       {s, map[string]string{"GOGC": "50"}},
		"GOMEMLIMIT set": {s, map[string]string{"GOMEMLIMIT": "1GiB"}},
		"transactional":  {txn, nil},
	} {
		restore := tuneProduceGC(c.s, lookupVars(c.env))
		pct, limit := gcSettings()
		restore()
		if pct != pct0 || limit != limit0 {
			t.Errorf("%s: GOGC %d, limit %d changed (want %d, %d)", name, pct, limit, pct0, limit0)
		}
	}
}

func TestTuneVerifyGC(t *testing.T) {
	pct0, limit0 := gcSettings()
	restore := tuneVerifyGC(lookupVars(nil))
	pct, limit := gcSettings()
	restore()
	if pct != verifyGCPercent || limit != limit0 {
		t.Errorf("during the run: GOGC %d, limit %d; want %d, %d (unchanged)", pct, limit, verifyGCPercent, limit0)
	}
	if pct, limit := gcSettings(); pct != pct0 || limit != limit0 {
		t.Errorf("after the run: GOGC %d, limit %d; want %d, %d restored", pct, limit, pct0, limit0)
	}
	for _, env := range []map[string]string{{"GOGC": "50"}, {"GOMEMLIMIT": "1GiB"}} {
		restore := tuneVerifyGC(lookupVars(env))
		pct, limit := gcSettings()
		restore()
		if pct != pct0 || limit != limit0 {
			t.Errorf("%v: GOGC %d, limit %d changed (want %d, %d)", env, pct, limit, pct0, limit0)
		}
	}
}
