package broker

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A stopped node (the kill-node fault) is modelled in kq's layer, not by
// kfake's RemoveNode/AddNode: those rewrite kfake's broker list while
// kfake's group goroutines read it without a lock (a data race that -race
// builds report), and kfake never moves its controller, so topic admin
// failed while the controller node was down. Instead kfake keeps every
// node and kq makes the stopped one look crashed to clients, as Kafka's
// cluster would:
//
//   - its connections are cut and new ones refused (connTracker): on
//     Linux its socket stops listening, so a dial gets ECONNREFUSED as
//     from a crashed broker (pausable), elsewhere a new connection is
//     accepted and cut at once;
//   - its partitions get new leaders among the live nodes at once
//     (MoveTopicPartition, which runs in kfake's admin loop), and a
//     partition found led by it later (a topic created meanwhile) is
//     answered as "leader not available" in Metadata and moved;
//   - Metadata and DescribeCluster answers leave it out of the broker list
//     and every ISR (listed as an offline replica) and name a live
//     controller; controller requests (topic create / delete, partitions,
//     SCRAM users) that reach a live node are forwarded to kfake's
//     controller over an internal connection, as a KRaft broker forwards
//     them to the active controller;
//   - group and transaction coordinators that hash to it move: kfake's
//     coordinator generation is bumped (its public RehashCoordinators)
//     until every recently used group or transactional id hashes to a live
//     node. Clients get NOT_COORDINATOR or a cut connection and find the
//     new coordinator, as after a coordinator failover. A group no client
//     looked up for a while may still hash to the stopped node; its
//     members' next FindCoordinator moves it (ListGroups on a live node
//     does not list it meanwhile).

// controllerRequests are the API keys kfake serves only on its controller.
var controllerRequests = []kmsg.Key{kmsg.CreateTopics, kmsg.DeleteTopics, kmsg.CreatePartitions, kmsg.AlterUserSCRAMCredentials}

// nodeView is what connections need to know about the nodes, published
// atomically so a response rewrite never waits for the broker's lock.
type nodeView struct {
	ports   map[int32]int
	stopped map[int32]bool
	// controller is kfake's controller; shown is the controller clients
	// are told (a live node when kfake's is stopped).
	controller, shown int32
}

// nodes returns the published node view (an empty one before the first).
func (b *Broker) nodes() *nodeView {
	if v := b.view.Load(); v != nil {
		return v
	}
	return &nodeView{}
}

// anyStopped reports whether a node is down.
func (v *nodeView) anyStopped() bool { return len(v.stopped) > 0 }

// publishViewLocked publishes the current node view.
func (b *Broker) publishViewLocked() {
	v := &nodeView{ports: map[int32]int{}, stopped: map[int32]bool{}, controller: int32(len(b.ports) - 1)}
	for id, p := range b.ports {
		v.ports[id] = p
	}
	for id, down := range b.stopped {
		if down {
			v.stopped[id] = true
		}
	}
	v.shown = v.controller
	if v.stopped[v.controller] {
		v.shown = b.liveLocked()[0]
	}
	b.view.Store(v)
}

// liveLocked returns the ids of the live nodes, in order.
func (b *Broker) liveLocked() []int32 {
	var ids []int32
	for _, id := range b.nodeIDsLocked() {
		if !b.stopped[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// installNodes registers the control hooks of stopped nodes on a freshly
// opened cluster (kfake makes its last node the controller).
func (b *Broker) installNodes(c *kfake.Cluster) {
	for _, key := range controllerRequests {
		c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			v := b.nodes()
			if !v.stopped[v.controller] || c.CurrentNode() == v.controller {
				return nil, nil, false
			}
			var resp kmsg.Response
			var err error
			// Sleep: kfake serves other connections (the forwarded
			// request among them) while this one waits.
			c.SleepControl(func() { resp, err = b.forward(v.controller, req) })
			return resp, err, true
		})
	}
	c.ControlKey(int16(kmsg.FindCoordinator), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.FindCoordinatorRequest)
		keys := append([]string{r.CoordinatorKey}, r.CoordinatorKeys...)
		b.coords.seen(keys, time.Now())
		if v := b.nodes(); v.anyStopped() {
			settleCoordinators(c, v, b.coords.recent(time.Now()))
		}
		return nil, nil, false
	})
}

// maxRehash bounds the coordinator generations tried for one settle.
const maxRehash = 256

// settleCoordinators bumps kfake's coordinator generation until no key's
// coordinator is a stopped node (or maxRehash tries).
func settleCoordinators(c *kfake.Cluster, v *nodeView, keys []string) {
	for range maxRehash {
		bad := false
		for _, k := range keys {
			if v.stopped[c.CoordinatorFor(k)] {
				bad = true
				break
			}
		}
		if !bad {
			return
		}
		c.RehashCoordinators()
	}
}

// StopNode takes node id down as a crashed broker: its live connections
// are cut and new ones refused until [Broker.RestartNode], its partitions
// get new leaders among the live nodes (losing, with the replication
// model, what the followers had not fetched), its coordinators move, and
// Metadata answers list it as offline. The last live node cannot stop.
func (b *Broker) StopNode(id int32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	port, ok := b.ports[id]
	if !ok {
		return fmt.Errorf("broker: no node %d", id)
	}
	if b.stopped[id] {
		return fmt.Errorf("broker: node %d is already stopped", id)
	}
	if len(b.liveLocked()) == 1 {
		return fmt.Errorf("broker: node %d is the last live node", id)
	}
	before := b.leadersLocked()
	b.conns.setDown(port)
	b.stopped[id] = true
	b.live.Add(-1)
	b.publishViewLocked()
	b.moveOffStoppedLocked()
	b.failoversLocked(before)
	settleCoordinators(b.c, b.nodes(), b.coords.recent(time.Now()))
	return nil
}

// RestartNode brings a node stopped by [Broker.StopNode] back on its port.
// Partition leaders are reshuffled over all live nodes, as after a real
// broker's return and a preferred leader election (with the replication
// model, a moved leader loses what its followers had not fetched, as an
// acks=1 tail is lost on any leader change in Kafka).
func (b *Broker) RestartNode(id int32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stopped[id] {
		return fmt.Errorf("broker: node %d is not stopped", id)
	}
	if err := b.conns.setUp(b.ports[id]); err != nil {
		return fmt.Errorf("broker: restart node %d: %w", id, err)
	}
	before := b.leadersLocked()
	delete(b.stopped, id)
	b.live.Add(1)
	b.publishViewLocked()
	b.c.ShufflePartitionLeaders()
	b.moveOffStoppedLocked()
	b.failoversLocked(before)
	return nil
}

// StoppedNodes returns the ids of the nodes that are stopped now.
func (b *Broker) StoppedNodes() []int32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []int32
	for _, id := range b.nodeIDsLocked() {
		if b.stopped[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

// MoveLeaders elects a new random leader for every partition among the
// live nodes and bumps the leader epochs, so clients see
// NOT_LEADER_OR_FOLLOWER and refresh metadata.
func (b *Broker) MoveLeaders() {
	b.mu.Lock()
	defer b.mu.Unlock()
	before := b.leadersLocked()
	b.c.ShufflePartitionLeaders()
	b.moveOffStoppedLocked()
	b.failoversLocked(before)
}

// MoveLeader moves the leadership of one partition to node, which must be
// live.
func (b *Broker) MoveLeader(topic string, partition, node int32) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped[node] {
		return fmt.Errorf("broker: move leader of %s/%d: node %d is stopped", topic, partition, node)
	}
	before := b.leadersLocked()
	if err := b.c.MoveTopicPartition(topic, partition, node); err != nil {
		return fmt.Errorf("broker: move leader of %s/%d: %w", topic, partition, err)
	}
	b.failoversLocked(before)
	return nil
}

// moveOffStoppedLocked gives every partition led by a stopped node a live
// leader. kfake has no list of its partitions, so it asks a live node
// for every topic's metadata over an internal connection.
func (b *Broker) moveOffStoppedLocked() {
	if len(b.stopped) == 0 {
		return
	}
	live := b.liveLocked()
	resp, err := b.forward(live[0], kmsg.NewPtrMetadataRequest())
	if err != nil {
		b.guard.logf("cannot list partitions to move off stopped nodes: %v", err)
		return
	}
	for _, t := range resp.(*kmsg.MetadataResponse).Topics {
		if t.Topic == nil {
			continue
		}
		for _, p := range t.Partitions {
			if b.stopped[p.Leader] {
				b.moveToLiveLocked(*t.Topic, p.Partition, live)
			}
		}
	}
}

// moveToLiveLocked moves a partition to a live node, picked by partition
// number so the choice does not depend on timing.
func (b *Broker) moveToLiveLocked(topic string, partition int32, live []int32) {
	_ = b.c.MoveTopicPartition(topic, partition, live[int(partition)%len(live)])
}

// electAway moves a partition that a Metadata answer found led by a
// stopped node (created while it was down) to a live node. It runs on its
// own goroutine: a response rewrite must not wait for kfake's loop.
func (b *Broker) electAway(topic string, partition int32) {
	tp := topicPart{topic, partition}
	if _, busy := b.electing.LoadOrStore(tp, true); busy {
		return
	}
	defer b.electing.Delete(tp)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || len(b.stopped) == 0 {
		return
	}
	old := b.c.LeaderFor(topic, partition)
	if !b.stopped[old] {
		return
	}
	b.moveToLiveLocked(topic, partition, b.liveLocked())
	if b.repl != nil {
		b.failoversLocked(map[topicPart]int32{tp: old})
	}
}

// coordKeys remembers the group and transactional ids clients looked up
// recently, the coordinators a stopped node must not keep.
type coordKeys struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// coordMemory is how long a looked-up id counts as in use.
const coordMemory = time.Minute

// maxCoordKeys bounds the ids remembered.
const maxCoordKeys = 256

func (k *coordKeys) seen(keys []string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.last == nil {
		k.last = map[string]time.Time{}
	}
	for _, key := range keys {
		if key != "" && (len(k.last) < maxCoordKeys || !k.last[key].IsZero()) {
			k.last[key] = now
		}
	}
}

// recent returns the ids looked up within coordMemory and forgets older
// ones.
func (k *coordKeys) recent(now time.Time) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for key, at := range k.last {
		if now.Sub(at) > coordMemory {
			delete(k.last, key)
			continue
		}
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}
