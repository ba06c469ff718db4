package broker

import (
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake keeps a group member's session timer running while the member
// waits for its JoinGroup or SyncGroup answer, and a member it expires
// then is dropped with its answer: the client hears nothing until its own
// request timeout (the rebalance timeout plus 10 s for a franz-go member,
// 70 s by default). A member that rejoins after a coordinator failover and
// waits for the others longer than its session timeout hung that way.
// Kafka counts a known member awaiting a join or sync answer as
// heartbeating (ClassicGroupMember.hasSatisfiedHeartbeat), so the answer
// always comes: when the rebalance completes, or at the rebalance timeout.
//
// awaitConn makes kfake do the same: while a JoinGroup of a known member
// or a SyncGroup waits for its answer on a client connection, the broker
// heartbeats for that member to the group's coordinator over an internal
// connection, every keepAwaitingEvery, until the answer is written or the
// connection closes. A JoinGroup's heartbeat carries the generation of
// the group's last JoinGroup answer the broker saw (groupGens); without
// one (a group loaded from a data dir whose members have not joined since)
// kfake refuses it and the member is expired as before.

const (
	apiJoinGroup = 11
	apiSyncGroup = 14
)

// keepAwaitingEvery is how often a waiting member is heartbeated for: a
// third of the shortest session timeout the broker accepts.
const keepAwaitingEvery = minSessionTimeout / 3

// maxGroupGens bounds the groups whose generation the broker remembers.
const maxGroupGens = 4096

// groupGens remembers each group's generation from the JoinGroup answers
// the broker wrote.
type groupGens struct {
	mu sync.Mutex
	m  map[string]int32
}

func (g *groupGens) set(group string, gen int32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]int32{}
	}
	if _, ok := g.m[group]; !ok && len(g.m) >= maxGroupGens {
		clear(g.m)
	}
	g.m[group] = gen
}

func (g *groupGens) get(group string) (int32, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	gen, ok := g.m[group]
	return gen, ok
}

// awaiting is a JoinGroup or SyncGroup waiting for its answer.
type awaiting struct {
	version  int16
	group    string
	member   string  // "": a new member (no session yet), not kept alive
	instance *string // a static member's instance id
	// gen is a SyncGroup's generation; -1 for a JoinGroup (the group's
	// last known generation is used).
	gen  int32
	done chan struct{}
	once sync.Once
}

func (a *awaiting) stop() { a.once.Do(func() { close(a.done) }) }

// awaitConn keeps the members alive whose JoinGroup or SyncGroup waits on
// one client connection.
type awaitConn struct {
	net.Conn
	b     *Broker
	joins inflight[*awaiting]
	syncs inflight[*awaiting]

	mu     sync.Mutex
	live   map[*awaiting]struct{}
	closed bool
}

func newAwaitConn(c net.Conn, b *Broker) *awaitConn {
	return &awaitConn{Conn: c, b: b, live: map[*awaiting]struct{}{}}
}

// request is the frame guard's hook: it starts keeping alive the member
// of each JoinGroup and SyncGroup.
func (c *awaitConn) request(h wire.RequestHeader, frame []byte) {
	var a *awaiting
	var list *inflight[*awaiting]
	switch h.Key {
	case apiJoinGroup:
		req := kmsg.NewPtrJoinGroupRequest()
		req.Version = h.Version
		if req.ReadFrom(frame[h.BodyOffset:]) != nil {
			return
		}
		a, list = &awaiting{group: req.Group, member: req.MemberID, instance: req.InstanceID, gen: -1}, &c.joins
	case apiSyncGroup:
		req := kmsg.NewPtrSyncGroupRequest()
		req.Version = h.Version
		if req.ReadFrom(frame[h.BodyOffset:]) != nil {
			return
		}
		a, list = &awaiting{group: req.Group, member: req.MemberID, instance: req.InstanceID, gen: req.Generation}, &c.syncs
	default:
		return
	}
	a.version, a.done = h.Version, make(chan struct{})
	if !list.add(h.CorrelationID, a) || a.member == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.live[a] = struct{}{}
	go c.b.keepAwaiting(a)
}

// Write sees whole response frames from kfake: an answered JoinGroup or
// SyncGroup no longer waits, and a JoinGroup answer gives its group's
// generation.
func (c *awaitConn) Write(frame []byte) (int, error) {
	if a, ok := c.joins.take(frame); ok {
		c.answered(a)
		resp := kmsg.NewPtrJoinGroupResponse()
		resp.SetVersion(a.version)
		h, err := wire.ParseResponseHeader(frame[4:], apiJoinGroup, a.version)
		if err == nil && resp.ReadFrom(frame[4+h.BodyOffset:]) == nil && resp.ErrorCode == 0 {
			c.b.gens.set(a.group, resp.Generation)
		}
	} else if a, ok := c.syncs.take(frame); ok {
		c.answered(a)
	}
	return c.Conn.Write(frame)
}

func (c *awaitConn) answered(a *awaiting) {
	a.stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.live, a)
}

// Close stops keeping alive the members still waiting here: a client that
// went away rejoins, as after a coordinator failover.
func (c *awaitConn) Close() error {
	c.mu.Lock()
	c.closed = true
	for a := range c.live {
		a.stop()
	}
	clear(c.live)
	c.mu.Unlock()
	return c.Conn.Close()
}

// keepAwaiting heartbeats for a's member until a is answered, the member
// is gone or the broker closes.
func (b *Broker) keepAwaiting(a *awaiting) {
	tick := time.NewTicker(keepAwaitingEvery)
	defer tick.Stop()
	for {
		select {
		case <-a.done:
			return
		case <-tick.C:
		}
		gen, ok := a.gen, true
		if gen < 0 {
			gen, ok = b.gens.get(a.group)
		}
		if !ok {
			continue
		}
		node, open := b.coordinatorOf(a.group)
		if !open {
			return
		}
		hb := kmsg.NewPtrHeartbeatRequest()
		hb.Version = 4
		hb.Group, hb.MemberID, hb.InstanceID, hb.Generation = a.group, a.member, a.instance, gen
		resp, err := b.forward(node, hb)
		if err == nil && resp.(*kmsg.HeartbeatResponse).ErrorCode == kerr.UnknownMemberID.Code {
			return // expired or left: nothing to keep
		}
	}
}

// coordinatorOf returns kfake's coordinator of a group or transactional
// id, and false once the broker is closed (kfake answers nothing then).
func (b *Broker) coordinatorOf(key string) (int32, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, false
	}
	return b.c.CoordinatorFor(key), true
}
