package broker

import (
	"encoding/binary"
	"sync"
)

// maxTracked is how many requests a connection's response rewrite
// remembers at once; a request past it is answered by kfake unchanged.
const maxTracked = 1024

// inflight remembers, for one connection, what a response rewrite needs of
// each request it saw, by correlation id, until the response comes. It is
// the one home of that bookkeeping for the connection wrappers that
// rewrite kfake's answers (markers, replication, topic names). The zero
// value is ready to use.
type inflight[T any] struct {
	mu sync.Mutex
	m  map[int32]T
}

// add remembers v for the request with correlation id corr, and reports
// false (remembering nothing) when maxTracked requests are already waiting.
func (f *inflight[T]) add(corr int32, v T) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.m) >= maxTracked {
		return false
	}
	if f.m == nil {
		f.m = map[int32]T{}
	}
	f.m[corr] = v
	return true
}

// take returns and forgets what was remembered for the request a whole
// response frame (length prefix included) answers.
func (f *inflight[T]) take(frame []byte) (T, bool) {
	var zero T
	if len(frame) < 8 {
		return zero, false
	}
	corr := int32(binary.BigEndian.Uint32(frame[4:8]))
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[corr]
	if ok {
		delete(f.m, corr)
	}
	return v, ok
}
