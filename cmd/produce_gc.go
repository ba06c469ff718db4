package cmd

import (
	"runtime/debug"

	"github.com/kq-dev/kq/produce"
)

// produceGCPercent is the garbage collector's GOGC while a produce run
// has a soft memory limit: the heap may grow to five times what is live,
// up to the limit, instead of twice. A produce run's heap is mostly record
// bytes the collector does not scan, and every collection also scans the
// whole program's globals; with the default, a 20 MB input of 10 KB
// records took about 10 collections and 30% more CPU (BENCHMARKS.md).
const produceGCPercent = 400

// tuneProduceGC sets the garbage collector for a produce run with s: a
// soft memory limit (s.MemoryLimit) and produceGCPercent, unless GOGC or
// GOMEMLIMIT is set in the environment (the user's choice wins) or s has
// no limit. The returned function restores the previous settings.
func tuneProduceGC(s produce.Settings, lookupEnv func(string) (string, bool)) (restore func()) {
	limit := s.MemoryLimit()
	_, gogc := lookupEnv("GOGC")
	_, memLimit := lookupEnv("GOMEMLIMIT")
	if limit <= 0 || gogc || memLimit {
		return func() {}
	}
	oldLimit := debug.SetMemoryLimit(limit)
	oldPercent := debug.SetGCPercent(produceGCPercent)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
