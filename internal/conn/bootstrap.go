package conn

import (
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// bootstrapGrace is how long, after the first bootstrap address answers,
// the others get to answer too before the client starts with those that
// did.
const bootstrapGrace = 100 * time.Millisecond

// answering returns the bootstrap addresses among addrs that answer a
// Kafka request (ApiVersions, after TLS and SASL as cfg sets them), so a
// client does not spend its whole timeout on an address that accepts
// connections and never answers while the others are fine: sarama tries
// its seed addresses in random order with a read timeout each, longer than
// kq's --timeout. With one address, or when none answers, addrs is
// returned unchanged and the caller's own timeout and error reporting
// apply. It waits at most wait, and bootstrapGrace after the first answer.
func answering(cfg *sarama.Config, addrs []string, wait time.Duration) []string {
	if len(addrs) < 2 {
		return addrs
	}
	results := make(chan probeResult, len(addrs))
	for _, a := range addrs {
		go func() { results <- probeResult{addr: a, ok: probe(cfg, a)} }()
	}
	return collectAnswers(results, len(addrs), wait, bootstrapGrace, addrs)
}

// probeResult is whether one bootstrap address answered.
type probeResult struct {
	addr string
	ok   bool
}

// collectAnswers gathers n probe results until all are in, wait has passed,
// or grace has passed since the first answer. It returns the addresses that
// answered, in the order they did, or fallback when none did.
func collectAnswers(results <-chan probeResult, n int, wait, grace time.Duration, fallback []string) []string {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	var ok []string
	var graceC <-chan time.Time
	for range n {
		select {
		case r := <-results:
			if !r.ok {
				continue
			}
			ok = append(ok, r.addr)
			if graceC == nil {
				graceC = time.After(grace)
			}
		case <-graceC:
			return ok
		case <-deadline.C:
			return orFallback(ok, fallback)
		}
	}
	return orFallback(ok, fallback)
}

func orFallback(ok, fallback []string) []string {
	if len(ok) == 0 {
		return fallback
	}
	return ok
}

// probe reports whether addr answers an ApiVersions request. The broker
// connection is closed before it returns; sarama's read timeout bounds it.
func probe(cfg *sarama.Config, addr string) bool {
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return false
	}
	defer b.Close()
	_, err := b.ApiVersions(&sarama.ApiVersionsRequest{})
	return err == nil
}

// Bootstraps remembers which bootstrap addresses answered, so that the
// clients of one invocation probe them once (see [Factory.Bootstraps]).
// Safe for concurrent use: a client opened while the probe runs waits for
// its answer. The zero value is ready to use.
type Bootstraps struct {
	mu    sync.Mutex
	addrs []string // the addresses probed
	found []string // those that answered (addrs when none did)
	probe func(cfg *sarama.Config, addrs []string, wait time.Duration) []string
}

// answering is [answering] probed once per list of addresses.
func (b *Bootstraps) answering(cfg *sarama.Config, addrs []string, wait time.Duration) []string {
	if b == nil {
		return answering(cfg, addrs, wait)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.found != nil && slices.Equal(b.addrs, addrs) {
		return b.found
	}
	probe := b.probe
	if probe == nil {
		probe = answering
	}
	b.addrs, b.found = slices.Clone(addrs), probe(cfg, addrs, wait)
	return b.found
}
