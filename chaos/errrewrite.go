package chaos

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// setProduceError decodes a Produce response body at version, sets code on
// every partition and re-encodes it: the client hears the write failed
// although the broker appended it.
func setProduceError(version int16, body []byte, code int16) ([]byte, error) {
	resp := kmsg.NewPtrProduceResponse()
	resp.SetVersion(version)
	if err := decodeBounded(resp, body, decodeTimeout); err != nil {
		return nil, fmt.Errorf("chaos: decode produce response v%d: %w", version, err)
	}
	for i := range resp.Topics {
		for j := range resp.Topics[i].Partitions {
			p := &resp.Topics[i].Partitions[j]
			p.ErrorCode = code
			p.BaseOffset = -1
		}
	}
	return resp.AppendTo(nil), nil
}
