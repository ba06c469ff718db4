package chaos

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/kq-dev/kq/internal/kqerr"
)

// EngineOptions configures an [Engine].
type EngineOptions struct {
	// Seed seeds the random source that decides whether a fault with a
	// probability fires, and the latency jitter.
	Seed uint64
	// Rand, when set, replaces the seeded source. It need not be safe for
	// concurrent use: the engine serialises access to it.
	Rand rand.Source
}

// Engine holds the network faults active now and applies them to every
// link (a client connection through a [Dialer] or a [Proxy]) it carries.
// It is safe for concurrent use. Which request of many concurrent
// connections meets a probabilistic fault depends on their interleaving, so
// only the sequence of random draws, not their assignment to requests, is
// reproducible from the seed.
type Engine struct {
	mu    sync.Mutex
	rng   *rand.Rand
	seq   int
	rules []*rule
	links map[*link]struct{}
	nodes map[string]int32 // advertised broker address -> node id
}

// rule is one active fault.
type rule struct {
	id     string
	f      Fault // defaults applied
	since  time.Time
	hits   atomic.Int64
	lim    *rate.Limiter // bandwidth only
	ctx    context.Context
	cancel context.CancelFunc
}

// Active describes a fault an [Engine] applies now.
type Active struct {
	// ID names the fault for [Engine.Clear].
	ID string `json:"id"`
	// Fault is the fault with its defaults applied.
	Fault Fault `json:"fault"`
	// Since is when the fault was set.
	Since time.Time `json:"since"`
	// Hits counts the requests (or, for bandwidth and partition, the
	// frames delayed and connections refused or cut) the fault acted on.
	Hits int64 `json:"hits"`
}

// NewEngine returns an engine with no active fault.
func NewEngine(opts EngineOptions) *Engine {
	src := opts.Rand
	if src == nil {
		src = rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)
	}
	return &Engine{rng: rand.New(src), links: map[*link]struct{}{}, nodes: map[string]int32{}}
}

// Set activates a network fault (defaults applied) and returns its id. A
// partition cuts the live connections to its target at once. A fault of
// another layer is a usage error.
func (e *Engine) Set(f Fault) (string, error) {
	f = f.WithDefaults()
	if err := f.Validate(); err != nil {
		return "", err
	}
	if f.Kind.Layer() != LayerNetwork {
		return "", kqerr.Usagef("fault %s is not a network fault", f.Kind)
	}
	r := &rule{f: f, since: time.Now()}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if f.Kind == Bandwidth {
		r.lim = rate.NewLimiter(rate.Limit(f.Rate), int(min(f.Rate, 64<<10)))
	}
	e.mu.Lock()
	e.seq++
	r.id = "f" + strconv.Itoa(e.seq)
	e.rules = append(e.rules, r)
	cut := e.partitionedLocked(r)
	e.mu.Unlock()
	for _, l := range cut {
		r.hits.Add(1)
		l.close(true)
	}
	return r.id, nil
}

// partitionedLocked returns the live links r, a partition, cuts.
func (e *Engine) partitionedLocked(r *rule) []*link {
	if r.f.Kind != Partition {
		return nil
	}
	var cut []*link
	for l := range e.links {
		if e.targetsLocked(r, l.addr) {
			cut = append(cut, l)
		}
	}
	return cut
}

// Clear removes the fault with the given id. Connections the fault
// black-holed are cut, so their clients notice and reconnect. An unknown
// id is a usage error.
func (e *Engine) Clear(id string) error {
	e.mu.Lock()
	i := slices.IndexFunc(e.rules, func(r *rule) bool { return r.id == id })
	if i < 0 {
		e.mu.Unlock()
		return kqerr.Usagef("no active fault %q", id)
	}
	r := e.rules[i]
	e.rules = slices.Delete(e.rules, i, i+1)
	e.mu.Unlock()
	e.heal([]*rule{r})
	return nil
}

// ClearAll removes every fault, healing them as [Engine.Clear] does.
func (e *Engine) ClearAll() {
	e.mu.Lock()
	rules := e.rules
	e.rules = nil
	e.mu.Unlock()
	e.heal(rules)
}

// heal releases the waits of removed rules and cuts the links they
// black-holed.
func (e *Engine) heal(rules []*rule) {
	for _, r := range rules {
		r.cancel()
	}
	for _, l := range e.liveLinks() {
		for _, r := range rules {
			if l.unhole(r.id) {
				l.close(true)
			}
		}
	}
}

// List returns the active faults in the order they were set.
func (e *Engine) List() []Active {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Active, 0, len(e.rules))
	for _, r := range e.rules {
		out = append(out, Active{ID: r.id, Fault: r.f, Since: r.since, Hits: r.hits.Load()})
	}
	return out
}

// targetsLocked reports whether r applies to connections to addr.
func (e *Engine) targetsLocked(r *rule, addr string) bool {
	if r.f.Target == "" || r.f.Target == addr {
		return true
	}
	node, isNode, _ := parseTarget(r.f.Target)
	got, known := e.nodes[addr]
	return isNode && known && got == node
}

// Refuses reports whether an active partition refuses connections to the
// broker at addr (host:port as advertised); it counts as a hit.
func (e *Engine) Refuses(addr string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		if r.f.Kind == Partition && e.targetsLocked(r, addr) {
			r.hits.Add(1)
			return true
		}
	}
	return false
}
