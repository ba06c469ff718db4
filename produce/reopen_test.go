package produce_test

import (
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

// TestSendReopensAClosedConnection: a request for a broker whose
// connection the sender closed after an error goes out on a new one,
// instead of failing unsent.
func TestSendReopensAClosedConnection(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	client := testutil.Client(t, b)
	leader, err := client.Leader("t", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := leader.Close(); err != nil {
		t.Fatal(err)
	}
	req := &sarama.ProduceRequest{RequiredAcks: sarama.WaitForAll, Timeout: 10_000, Version: 3}
	req.AddBatch("t", 0, &sarama.RecordBatch{Version: 2, Records: []*sarama.Record{{Value: []byte("v")}}})
	answered := make(chan error, 1)
	err = produce.ReopenAndProduce(client.Config())(leader, req, func(resp *sarama.ProduceResponse, err error) {
		if err == nil {
			if blk := resp.GetBlock("t", 0); blk == nil {
				err = sarama.ErrIncompleteResponse
			} else if blk.Err != sarama.ErrNoError {
				err = blk.Err
			}
		}
		answered <- err
	})
	if err != nil {
		t.Fatalf("not sent on a closed connection: %v", err)
	}
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("answer: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no answer within 20 s")
	}
}
