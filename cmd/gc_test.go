package cmd

import (
	"runtime/debug"
	"testing"
	"time"

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
	if pct != 100 || limit != verifyMemoryBase {
		t.Errorf("during the run: GOGC %d, limit %d; want 100, %d", pct, limit, verifyMemoryBase)
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

func TestVerifyMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, verifyMemoryBase},
		{100 << 20, verifyMemoryBase}, // 150 MiB + slack fits under the base
		{200 << 20, 300<<20 + verifyHeapSlack},
		{1 << 30, 1<<30 + 512<<20 + verifyHeapSlack},
	} {
		if got := verifyMemoryLimit(c.live); got != c.want {
			t.Errorf("live %d MiB: limit %d, want %d", c.live>>20, got, c.want)
		}
	}
}

func TestFollowHeap(t *testing.T) {
	live := make(chan uint64, 1)
	set := make(chan int64, 8)
	stop, done := make(chan struct{}), make(chan struct{})
	cur := uint64(0)
	go func() {
		defer close(done)
		followHeap(stop, time.Millisecond, func() uint64 {
			select {
			case cur = <-live:
			default:
			}
			return cur
		}, func(n int64) { set <- n })
	}()
	want := func(n int64) {
		t.Helper()
		select {
		case got := <-set:
			if got != n {
				t.Fatalf("limit set to %d, want %d", got, n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("limit never set (want %d)", n)
		}
	}
	want(verifyMemoryBase)
	live <- 400 << 20
	want(600<<20 + verifyHeapSlack)
	live <- 10 << 20
	want(verifyMemoryBase)
	close(stop)
	<-done
	select {
	case n := <-set:
		t.Errorf("limit %d set again with the live heap unchanged", n)
	default:
	}
}
