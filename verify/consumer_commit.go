package verify

import (
	"fmt"
	"sync"

	"github.com/IBM/sarama"
)

// commitConn is an incarnation's own connection to its group's coordinator
// for synchronous commits, apart from the client's connection to that
// broker, as the Java consumer keeps its coordinator connection apart from
// its fetch connections: on the shared connection a commit's answer waited
// behind the answer to a fetch long-poll sent before it (up to
// fetchMaxWait; 26 ms per commit on average in a drain, BENCHMARKS.md,
// issue 17). It dials through the client's configuration, so the
// incarnation's kill switch and the chaos dialer carry it too.
type commitConn struct {
	mu sync.Mutex
	id int32 // the coordinator b is connected to
	b  *sarama.Broker
}

// broker returns the connection to the group's current coordinator,
// opening one when there is none or the coordinator moved.
func (cc *commitConn) broker(client sarama.Client, group string) (*sarama.Broker, error) {
	coord, err := client.Coordinator(group)
	if err != nil {
		return nil, fmt.Errorf("find coordinator: %w", err)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.b != nil && cc.id == coord.ID() {
		return cc.b, nil
	}
	if cc.b != nil {
		_ = cc.b.Close()
	}
	b := sarama.NewBroker(coord.Addr())
	if err := b.Open(client.Config()); err != nil {
		return nil, fmt.Errorf("connect to coordinator %s: %w", coord.Addr(), err)
	}
	cc.b, cc.id = b, coord.ID()
	return b, nil
}

// drop closes b after a failed request, unless another commit replaced it
// already, so the next commit connects afresh.
func (cc *commitConn) drop(b *sarama.Broker) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.b == b {
		_ = b.Close()
		cc.b = nil
	}
}

// close closes the connection, if open.
func (cc *commitConn) close() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.b != nil {
		_ = cc.b.Close()
		cc.b = nil
	}
}

// commitOffset commits the offset after m for the session's member and
// generation with one OffsetCommit request on cc, and returns its outcome.
// sarama's own ConsumerGroupSession.Commit reports no error, and a consumer
// that commits before processing must know its commit took. An error may
// still hide a commit the broker made (a lost response): the caller treats
// every error as "maybe committed, maybe not", which costs at most a lost
// batch when committing first and a redelivered one when committing after.
func commitOffset(cc *commitConn, client sarama.Client, group string, sess sarama.ConsumerGroupSession, instance string, m *sarama.ConsumerMessage) error {
	coord, err := cc.broker(client, group)
	if err != nil {
		return err
	}
	req := &sarama.OffsetCommitRequest{
		Version:                 commitVersion(client.Config().Version),
		ConsumerGroup:           group,
		ConsumerGroupGeneration: sess.GenerationID(),
		ConsumerID:              sess.MemberID(),
		RetentionTime:           -1,
	}
	if req.Version >= 7 {
		req.GroupInstanceId = &instance
	}
	req.AddBlockWithLeaderEpoch(m.Topic, m.Partition, m.Offset+1, -1, 0, "")
	resp, err := coord.CommitOffset(req)
	if err != nil {
		cc.drop(coord)
		_ = client.RefreshCoordinator(group)
		return err
	}
	kerr, ok := resp.Errors[m.Topic][m.Partition]
	switch {
	case !ok:
		return fmt.Errorf("commit response names no %s/%d", m.Topic, m.Partition)
	case kerr == sarama.ErrNotCoordinatorForConsumer || kerr == sarama.ErrConsumerCoordinatorNotAvailable:
		_ = client.RefreshCoordinator(group)
		return kerr
	case kerr != sarama.ErrNoError:
		return kerr
	}
	return nil
}

// commitVersion picks the OffsetCommit version sarama's offset manager
// would for the protocol version (7 carries the static member id).
func commitVersion(v sarama.KafkaVersion) int16 {
	switch {
	case v.IsAtLeast(sarama.V2_4_0_0):
		return 8
	case v.IsAtLeast(sarama.V2_3_0_0):
		return 7
	case v.IsAtLeast(sarama.V2_1_0_0):
		return 6
	case v.IsAtLeast(sarama.V2_0_0_0):
		return 4
	}
	return 2
}
