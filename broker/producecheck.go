package broker

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// apiProduce is the Produce API key.
const apiProduce = 0

// checkProduce checks every partition's batch of a Produce request frame
// payload with [checkBatch]. It returns the frame unchanged when all are
// well-formed (or the request does not decode: kfake then refuses it
// itself); otherwise a re-encoded frame in which each bad partition has no
// records, which kfake answers with CORRUPT_MESSAGE for that partition
// alone, and the reasons.
func checkProduce(frame []byte, h wire.RequestHeader) ([]byte, []error) {
	req := kmsg.NewPtrProduceRequest()
	req.Version = h.Version
	if req.ReadFrom(frame[h.BodyOffset:]) != nil {
		return frame, nil
	}
	var bad []error
	for i := range req.Topics {
		t := &req.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			if err := checkBatch(p.Records); err != nil {
				bad = append(bad, fmt.Errorf("produce to %s/%d: %w", t.Topic, p.Partition, err))
				p.Records = nil
			}
		}
	}
	if bad == nil {
		return frame, nil
	}
	out := append([]byte(nil), frame[:h.BodyOffset]...)
	return req.AppendTo(out), bad
}
