package chaos

// Nodes returns the broker node ids the engine has learned from the
// responses it carried, keyed by advertised host:port.
func (e *Engine) Nodes() map[string]int32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int32, len(e.nodes))
	for a, n := range e.nodes {
		out[a] = n
	}
	return out
}

// learn records that node id is advertised at addr.
func (e *Engine) learn(addr string, node int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, known := e.nodes[addr]; known || len(e.nodes) < maxLearnedNodes {
		e.nodes[addr] = node
	}
}

// maxLearnedNodes bounds the address map against a hostile upstream.
const maxLearnedNodes = 10000

// track registers a live link; untrack forgets it.
func (e *Engine) track(l *link) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.links[l] = struct{}{}
}

func (e *Engine) untrack(l *link) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.links, l)
}

func (e *Engine) liveLinks() []*link {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*link, 0, len(e.links))
	for l := range e.links {
		out = append(out, l)
	}
	return out
}

// active reports whether the fault with the given id is still set.
func (e *Engine) active(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		if r.id == id {
			return true
		}
	}
	return false
}
