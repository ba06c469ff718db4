package broker

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// An incremental fetch session (KIP-227, franz-go's default) lists in each
// request only the partitions whose fetch offset changed since the last;
// the broker keeps the others' offsets. To hold such a request (holdFetch)
// kq's broker layer needs every partition's offset, so fetchSessions keeps
// them for the sessions of one connection, as kfake does for the broker.

// maxSessions bounds the fetch sessions remembered for one connection (a
// client keeps one per broker); a session past it is not held.
const maxSessions = 16

// fetchPos is a partition of a Fetch and the offset it fetches from.
type fetchPos struct {
	tp     topicPart
	offset int64
}

// fetchSessions are the fetch sessions of one connection: per session id,
// each partition's fetch offset. The zero value is ready to use.
type fetchSessions struct {
	mu   sync.Mutex
	byID map[int32]map[topicPart]int64
}

// positions returns every partition a Fetch request reads from, and
// records what it changes in its session: listed are the partitions it
// names, forgotten those it drops. False when the request belongs to a
// session not known here (its other partitions are unknown).
func (s *fetchSessions) positions(req *kmsg.FetchRequest, listed []fetchPos, forgotten []topicPart) ([]fetchPos, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.SessionEpoch <= 0 {
		// No session (-1) or a new one (0, registered by started): a
		// session id given ends that session.
		delete(s.byID, req.SessionID)
		return listed, true
	}
	parts, ok := s.byID[req.SessionID]
	if !ok {
		return nil, false
	}
	for _, tp := range forgotten {
		delete(parts, tp)
	}
	for _, p := range listed {
		parts[p.tp] = p.offset
	}
	all := make([]fetchPos, 0, len(parts))
	for tp, off := range parts {
		all = append(all, fetchPos{tp, off})
	}
	return all, true
}

// started registers the session a broker's answer created (id) with the
// partitions its request listed.
func (s *fetchSessions) started(id int32, listed []fetchPos) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID = map[int32]map[topicPart]int64{}
	}
	if _, ok := s.byID[id]; !ok && len(s.byID) >= maxSessions {
		return
	}
	parts := make(map[topicPart]int64, len(listed))
	for _, p := range listed {
		parts[p.tp] = p.offset
	}
	s.byID[id] = parts
}
