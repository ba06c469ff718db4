package broker_test

import (
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
)

// validRequests are well-formed request frames of the APIs clients use
// most, the starting points the fuzzer mutates.
func validRequests() [][]byte {
	f := kmsg.NewRequestFormatter(kmsg.FormatterClientID("fuzz"))
	meta := kmsg.NewPtrMetadataRequest()
	meta.Version = 12
	meta.Topics = []kmsg.MetadataRequestTopic{{Topic: kmsg.StringPtr("fuzz")}}
	meta.AllowAutoTopicCreation = true
	fetch := kmsg.NewPtrFetchRequest()
	fetch.Version = 11
	fetch.MaxWaitMillis = 10
	fetch.Topics = []kmsg.FetchRequestTopic{{Topic: "fuzz", Partitions: []kmsg.FetchRequestTopicPartition{{Partition: 0, PartitionMaxBytes: 1 << 20}}}}
	list := kmsg.NewPtrListOffsetsRequest()
	list.Version = 4
	list.Topics = []kmsg.ListOffsetsRequestTopic{{Topic: "fuzz", Partitions: []kmsg.ListOffsetsRequestTopicPartition{{Partition: 0, Timestamp: 1}}}}
	find := kmsg.NewPtrFindCoordinatorRequest()
	find.Version = 3
	find.CoordinatorKey = "g"
	versions := kmsg.NewPtrApiVersionsRequest()
	versions.Version = 3
	versions.ClientSoftwareName, versions.ClientSoftwareVersion = "fuzz", "1"
	var out [][]byte
	for i, r := range []kmsg.Request{meta, fetch, list, find, versions, produceRequest(goodBatch(3))} {
		out = append(out, f.AppendRequest(nil, r, int32(i+1)))
	}
	return out
}

// FuzzBrokerFrames sends each input as the whole byte stream of one
// connection to a live in-process broker, then checks the broker still
// answers an ApiVersions request on a new connection. A crash of the
// broker fails the fuzz run; so does a broker that stops answering.
func FuzzBrokerFrames(f *testing.F) {
	for _, data := range hostileInputs() {
		f.Add(data)
	}
	for _, data := range validRequests() {
		f.Add(data)
	}
	b, err := broker.Start(broker.Options{Nodes: 1, Host: "127.0.0.1", Partitions: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { b.Close() })
	dial := plainDial(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dial()
		if err != nil {
			t.Fatalf("broker down: %v", err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write(data)
		c.(*net.TCPConn).CloseWrite()
		var buf [512]byte
		for { // read until the broker closes: every request was handled
			if _, err := c.Read(buf[:]); err != nil {
				break
			}
		}
		c.Close()
		apiVersions(t, dial)
	})
}
