package cmd

import (
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/kq-dev/kq/produce"
)

// produceGCPercent is the garbage collector's GOGC while a produce run
// has a soft memory limit: the heap may grow to five times what is live,
// up to the limit, instead of twice. A produce run's heap is mostly record
// bytes the collector does not scan, and every collection also scans the
// whole program's globals; with the default, a 20 MB input of 10 KB
// records took about 10 collections and 30% more CPU (BENCHMARKS.md).
const produceGCPercent = 400

// verifyMemoryBase is the soft memory limit a verify run starts with,
// at the collector's default GOGC of 100. A run's live heap grows with its
// values (the checker's state, about 12 bytes a value) beside the
// producers' buffers: at GOGC 100 with no limit a 10,000,000-value run went
// over 300 MB, and at GOGC 50, the setting before this one, the collector
// and its write barriers cost the run a tenth to a fifth more CPU than at
// 100 (BENCHMARKS.md, session 9).
const verifyMemoryBase = 224 << 20

// verifyHeapSlack is what the soft memory limit allows beside a verify
// run's heap (goroutine stacks, the runtime's own memory) once the limit
// follows the live heap.
const verifyHeapSlack = 16 << 20

// heapFollowEvery is how often a verify run's soft memory limit is set
// again from the live heap.
const heapFollowEvery = 100 * time.Millisecond

// verifyMemoryLimit is a verify run's soft memory limit for a live heap
// of live bytes: verifyMemoryBase, or room for the heap to grow by half of
// what is live (GOGC 50) when that is more. So the limit holds small and
// mid-sized runs under verifyMemoryBase, and a run whose live heap
// outgrows it is never collected more often than at GOGC 50, where a
// fixed limit would have the collector run without a pause.
func verifyMemoryLimit(live uint64) int64 {
	return max(verifyMemoryBase, int64(live+live/2)+verifyHeapSlack)
}

// tuneProduceGC sets the garbage collector for a produce run with s: a
// soft memory limit (s.MemoryLimit) and produceGCPercent, unless GOGC or
// GOMEMLIMIT is set in the environment (the user's choice wins) or s has
// no limit. The returned function restores the previous settings.
func tuneProduceGC(s produce.Settings, lookupEnv func(string) (string, bool)) (restore func()) {
	limit := s.MemoryLimit()
	if limit <= 0 {
		return func() {}
	}
	return tuneGC(produceGCPercent, limit, lookupEnv)
}

// tuneVerifyGC sets the garbage collector for a verify run, unless GOGC
// or GOMEMLIMIT is set in the environment: GOGC 100 under a soft memory
// limit that follows the live heap (verifyMemoryLimit). The returned
// function stops the following and restores the previous settings.
func tuneVerifyGC(lookupEnv func(string) (string, bool)) (restore func()) {
	if envSet(lookupEnv) {
		return func() {}
	}
	restoreGC := tuneGC(100, verifyMemoryBase, lookupEnv)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		followHeap(stop, heapFollowEvery, liveHeap, setMemoryLimit)
	}()
	return func() {
		close(stop)
		<-done
		restoreGC()
	}
}

// followHeap sets the soft memory limit (with set) from the live heap
// (live) every interval until stop is closed, calling set only when the
// limit changes.
func followHeap(stop <-chan struct{}, every time.Duration, live func() uint64, set func(int64)) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := int64(-1)
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if l := verifyMemoryLimit(live()); l != last {
				set(l)
				last = l
			}
		}
	}
}

// liveHeap is the heap the last garbage collection found live, in bytes.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// setMemoryLimit sets the soft memory limit to n bytes.
func setMemoryLimit(n int64) { debug.SetMemoryLimit(n) }

// envSet reports whether GOGC or GOMEMLIMIT is set in the environment:
// the user's choice, which kq leaves as it is.
func envSet(lookupEnv func(string) (string, bool)) bool {
	_, gogc := lookupEnv("GOGC")
	_, memLimit := lookupEnv("GOMEMLIMIT")
	return gogc || memLimit
}

// tuneGC sets GOGC to percent and, when limit > 0, a soft memory limit of
// limit bytes, unless GOGC or GOMEMLIMIT is set in the environment. The
// returned function restores the previous settings.
func tuneGC(percent int, limit int64, lookupEnv func(string) (string, bool)) (restore func()) {
	if envSet(lookupEnv) {
		return func() {}
	}
	oldLimit := int64(-1)
	if limit > 0 {
		oldLimit = debug.SetMemoryLimit(limit)
	}
	oldPercent := debug.SetGCPercent(percent)
	return func() {
		debug.SetGCPercent(oldPercent)
		if limit > 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}
