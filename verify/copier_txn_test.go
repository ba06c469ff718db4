package verify

import (
	"testing"

	"github.com/IBM/sarama"
)

func TestCopierTransactionGrowsOnlyWhileInputWaits(t *testing.T) {
	c := &copier{r: &run{}}
	c.r.set.Workload.TxnSize = 10
	inc := &copyIncarnation{in: &copyInput{msgs: make(chan *sarama.ConsumerMessage, 4)}}
	for _, tc := range []struct {
		n, waiting int
		full       bool
	}{
		{9, 0, false},
		{10, 0, true},  // caught up: TxnSize, as set
		{10, 1, false}, // behind: take what waits
		{99, 3, false}, // still behind
		{100, 3, true}, // txnGrowth times TxnSize at most
		{150, 0, true},
	} {
		for len(inc.in.msgs) > 0 {
			<-inc.in.msgs
		}
		for range tc.waiting {
			inc.in.msgs <- &sarama.ConsumerMessage{}
		}
		if got := c.full(inc, tc.n); got != tc.full {
			t.Errorf("%d records, %d waiting: full %v, want %v", tc.n, tc.waiting, got, tc.full)
		}
	}
}
