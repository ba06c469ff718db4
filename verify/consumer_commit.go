package verify

import (
	"fmt"

	"github.com/IBM/sarama"
)

// commitOffset commits the offset after m for the session's member and
// generation with one OffsetCommit request, and returns its outcome.
// sarama's own ConsumerGroupSession.Commit reports no error, and a consumer
// that commits before processing must know its commit took. An error may
// still hide a commit the broker made (a lost response): the caller treats
// every error as "maybe committed, maybe not", which costs at most a lost
// batch when committing first and a redelivered one when committing after.
func commitOffset(client sarama.Client, group string, sess sarama.ConsumerGroupSession, instance string, m *sarama.ConsumerMessage) error {
	coord, err := client.Coordinator(group)
	if err != nil {
		return fmt.Errorf("find coordinator: %w", err)
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
