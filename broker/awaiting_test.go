package broker_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// awaitGroup drives members of one classic group by hand: each member has
// its own client (a connection answers in order, so a parked JoinGroup
// would hold up another member's requests on the same one).
type awaitGroup struct {
	t     *testing.T
	b     *broker.Broker
	ctx   context.Context
	group string
}

type awaitMember struct {
	cl                 *kgo.Client
	id                 string
	session, rebalance int32
}

// member makes a member with the given session and rebalance timeouts.
func (g *awaitGroup) member(session, rebalance time.Duration) *awaitMember {
	return &awaitMember{cl: newClient(g.t, g.b), session: int32(session.Milliseconds()), rebalance: int32(rebalance.Milliseconds())}
}

// join sends one JoinGroup for m and returns the answer (m learns its id
// from a MEMBER_ID_REQUIRED answer).
func (g *awaitGroup) join(m *awaitMember) (*kmsg.JoinGroupResponse, error) {
	req := kmsg.NewPtrJoinGroupRequest()
	req.Group, req.MemberID, req.ProtocolType = g.group, m.id, "consumer"
	req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = m.session, m.rebalance
	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{"t"}
	p := kmsg.NewJoinGroupRequestProtocol()
	p.Name, p.Metadata = "range", meta.AppendTo(nil)
	req.Protocols = append(req.Protocols, p)
	resp, err := req.RequestWith(g.ctx, m.cl)
	if err == nil && resp.MemberID != "" {
		m.id = resp.MemberID
	}
	return resp, err
}

// mustJoin joins m, new or known, and returns the JoinGroup answer.
func (g *awaitGroup) mustJoin(m *awaitMember) *kmsg.JoinGroupResponse {
	g.t.Helper()
	for {
		resp, err := g.join(m)
		if err != nil {
			g.t.Fatalf("join %q: %v", m.id, err)
		}
		if resp.ErrorCode != kerr.MemberIDRequired.Code {
			if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
				g.t.Fatalf("join %q: %v", m.id, err)
			}
			return resp
		}
	}
}

// sync sends m's SyncGroup for generation gen; a leader assigns nothing.
func (g *awaitGroup) sync(m *awaitMember, gen int32) (*kmsg.SyncGroupResponse, error) {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group, req.MemberID, req.Generation = g.group, m.id, gen
	req.ProtocolType, req.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr("range")
	return req.RequestWith(g.ctx, m.cl)
}

// members returns the member ids DescribeGroups lists.
func (g *awaitGroup) members(cl *kgo.Client) []string {
	g.t.Helper()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{g.group}
	resp, err := req.RequestWith(g.ctx, cl)
	if err != nil || len(resp.Groups) != 1 {
		g.t.Fatalf("describe group %s: %v", g.group, err)
	}
	var ids []string
	for _, m := range resp.Groups[0].Members {
		ids = append(ids, m.MemberID)
	}
	return ids
}

// stableWithTwo makes a group whose generation holds a and b, synced, and
// returns that generation.
func (g *awaitGroup) stableWithTwo(a, b *awaitMember) int32 {
	g.t.Helper()
	first := g.mustJoin(a)
	if _, err := g.sync(a, first.Generation); err != nil {
		g.t.Fatal(err)
	}
	joined := make(chan *kmsg.JoinGroupResponse, 1)
	go func() {
		resp, err := g.join(b) // MEMBER_ID_REQUIRED
		if err == nil {
			resp, err = g.join(b) // parks until a rejoins
		}
		if err != nil {
			g.t.Error(err)
		}
		joined <- resp
	}()
	// a learns of the rebalance b's join started from its heartbeat.
	for {
		hb := kmsg.NewPtrHeartbeatRequest()
		hb.Group, hb.MemberID, hb.Generation = g.group, a.id, first.Generation
		resp, err := hb.RequestWith(g.ctx, a.cl)
		if err != nil {
			g.t.Fatal(err)
		}
		if resp.ErrorCode == kerr.RebalanceInProgress.Code {
			break
		}
	}
	second := g.mustJoin(a)
	if resp := <-joined; resp == nil || resp.ErrorCode != 0 || resp.Generation != second.Generation {
		g.t.Fatalf("second member's join: %+v, want generation %d", resp, second.Generation)
	}
	return second.Generation
}

// TestJoinAnsweredWhileAwaitingPastSession: a known member that rejoins
// and waits for the others longer than its session timeout stays in the
// group and gets its JoinGroup answer when the rebalance ends (here at the
// rebalance timeout, which removes the member that never rejoined), as
// in Kafka, where a member awaiting a join answer needs no heartbeat.
// kfake expired it and never answered: its client hung until its own
// request timeout (70 s for franz-go).
func TestJoinAnsweredWhileAwaitingPastSession(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g := &awaitGroup{t: t, b: b, ctx: ctx, group: "await-join"}
	a, other := g.member(time.Second, 3*time.Second), g.member(30*time.Second, 3*time.Second)
	gen := g.stableWithTwo(a, other)
	for _, m := range []*awaitMember{a, other} {
		if _, err := g.sync(m, gen); err != nil {
			t.Fatal(err)
		}
	}
	// a rejoins (a leader's rejoin starts a rebalance); other never does.
	resp, err := g.join(a)
	if err != nil {
		t.Fatalf("join of a member awaiting past its session timeout: %v (kfake dropped the answer)", err)
	}
	if resp.ErrorCode != 0 || resp.Generation != gen+1 || resp.LeaderID != a.id || len(resp.Members) != 1 {
		t.Fatalf("join answer: error %v, generation %d (want %d), leader %q (want %q), %d members (want 1)",
			kerr.ErrorForCode(resp.ErrorCode), resp.Generation, gen+1, resp.LeaderID, a.id, len(resp.Members))
	}
}

// TestSyncAnsweredWhileAwaitingPastSession: a follower whose SyncGroup
// waits for a slow leader longer than the follower's session timeout
// stays in the group and gets its assignment, as in Kafka; kfake expired
// it, never answered its SyncGroup and started a new rebalance.
func TestSyncAnsweredWhileAwaitingPastSession(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g := &awaitGroup{t: t, b: b, ctx: ctx, group: "await-sync"}
	leader, follower := g.member(30*time.Second, 10*time.Second), g.member(time.Second, 10*time.Second)
	gen := g.stableWithTwo(leader, follower)
	synced := make(chan error, 1)
	go func() {
		resp, err := g.sync(follower, gen)
		if err == nil {
			err = kerr.ErrorForCode(resp.ErrorCode)
		}
		synced <- err
	}()
	// The leader takes three of the follower's session timeouts to assign
	// (within the rebalance timeout, past which Kafka too would remove it);
	// meanwhile the follower must stay a member.
	admin := newClient(t, b)
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		if ids := g.members(admin); !slices.Contains(ids, follower.id) {
			t.Fatalf("follower awaiting its SyncGroup answer was removed (members %v)", ids)
		}
		select {
		case err := <-synced:
			t.Fatalf("follower's SyncGroup answered before the leader's: %v", err)
		case <-poll.C:
		}
	}
	resp, err := g.sync(leader, gen)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		t.Fatalf("leader's SyncGroup: %v", err)
	}
	if err := <-synced; err != nil {
		t.Fatalf("follower's SyncGroup: %v", err)
	}
}
