package consume

import (
	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/setting"
)

// probeRounds bounds the fetches of one probe; a later probe resumes where
// this one stopped.
const probeRounds = 4

// prober checks, with direct fetches that bypass the partition consumers,
// whether a partition holds anything deliverable before its bound.
type prober struct {
	client sarama.Client
	iso    setting.Isolation
}

// scan reports whether the partition holds a deliverable record in
// [from, to). When it finds none, proven is the offset up to which it is
// sure there is none (at least from).
func (p *prober) scan(topic string, partition int32, from, to int64) (visible bool, proven int64, err error) {
	proven = from
	for range probeRounds {
		if proven >= to {
			return false, proven, nil
		}
		blk, err := fetch.Once(p.client, topic, partition, proven, p.iso.Sarama())
		if err != nil {
			return false, proven, err
		}
		vis, next := scanBlock(blk, proven, to, p.iso)
		if vis {
			return true, proven, nil
		}
		if next == proven {
			return false, proven, nil // nothing more fetchable yet
		}
		proven = next
	}
	return false, proven, nil
}
