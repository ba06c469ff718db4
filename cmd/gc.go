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

// verifyGCPercent is the garbage collector's GOGC during a verify run: the
// heap grows to 1.5 times what is live instead of twice. A run's live heap
// grows with its values (the checker's state, about 12 bytes a value)
// beside the producers' buffers, and the collector takes about 5% of the
// run's CPU. With the default a 10,000,000-value run went over 300 MB;
// with 60 it peaked at 253-289 MiB in ten runs, with 50 at 244-259 MiB in
// seven (BENCHMARKS.md).
const verifyGCPercent = 50

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

// tuneVerifyGC sets the garbage collector for a verify run
// (verifyGCPercent), unless GOGC or GOMEMLIMIT is set in the environment.
// The returned function restores the previous setting.
func tuneVerifyGC(lookupEnv func(string) (string, bool)) (restore func()) {
	return tuneGC(verifyGCPercent, 0, lookupEnv)
}

// tuneGC sets GOGC to percent and, when limit > 0, a soft memory limit of
// limit bytes, unless GOGC or GOMEMLIMIT is set in the environment. The
// returned function restores the previous settings.
func tuneGC(percent int, limit int64, lookupEnv func(string) (string, bool)) (restore func()) {
	_, gogc := lookupEnv("GOGC")
	_, memLimit := lookupEnv("GOMEMLIMIT")
	if gogc || memLimit {
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
