package chaos

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// proxyMapper maps every broker to host "proxy", port + 10000.
func proxyMapper(b BrokerAddr) (string, int32) { return "proxy", b.Port + 10000 }

// addrResponse builds a response of key at version naming brokers 1 and 2
// (at h1:9092, h2:9093) wherever the version can.
func addrResponse(key, version int16) kmsg.Response {
	resp := kmsg.ResponseForKey(key)
	resp.SetVersion(version)
	switch r := resp.(type) {
	case *kmsg.MetadataResponse:
		r.Brokers = []kmsg.MetadataResponseBroker{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
		r.ControllerID = 2
		r.Topics = []kmsg.MetadataResponseTopic{{Topic: kmsg.StringPtr("orders"), Partitions: []kmsg.MetadataResponseTopicPartition{{Leader: 1}}}}
	case *kmsg.FindCoordinatorResponse:
		r.NodeID, r.Host, r.Port = 1, "h1", 9092
		r.Coordinators = []kmsg.FindCoordinatorResponseCoordinator{{Key: "g", NodeID: 1, Host: "h1", Port: 9092}, {Key: "x", NodeID: 2, Host: "h2", Port: 9093}}
	case *kmsg.DescribeClusterResponse:
		r.Brokers = []kmsg.DescribeClusterResponseBroker{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
	case *kmsg.ProduceResponse:
		r.Topics = []kmsg.ProduceResponseTopic{{Topic: "orders", Partitions: []kmsg.ProduceResponseTopicPartition{{ErrorCode: 6}}}}
		r.Brokers = []kmsg.ProduceResponseBroker{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
	case *kmsg.FetchResponse:
		r.Brokers = []kmsg.FetchResponseBroker{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
	case *kmsg.ShareFetchResponse:
		r.NodeEndpoints = []kmsg.ShareFetchResponseNodeEndpoint{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
	case *kmsg.ShareAcknowledgeResponse:
		r.NodeEndpoints = []kmsg.ShareAcknowledgeResponseNodeEndpoint{{NodeID: 1, Host: "h1", Port: 9092}, {NodeID: 2, Host: "h2", Port: 9093}}
	}
	return resp
}

// rewritten lists the keys whose responses carry addresses, with the first
// version that does.
var rewrittenKeys = []struct{ key, from int16 }{{3, 0}, {10, 0}, {60, 0}, {0, 9}, {1, 12}, {78, 0}, {79, 0}}

func TestRewriteAddrsEveryVersion(t *testing.T) {
	for _, k := range rewrittenKeys {
		for v := k.from; v <= kmsg.ResponseForKey(k.key).MaxVersion(); v++ {
			body := addrResponse(k.key, v).AppendTo(nil)
			out, err := RewriteAddrs(k.key, v, body, proxyMapper)
			if err != nil {
				t.Fatalf("%s v%d: %v", APIName(k.key), v, err)
			}
			_, refs, err := decodeAddrs(k.key, v, out)
			if err != nil {
				t.Fatalf("%s v%d: rewritten body does not decode: %v", APIName(k.key), v, err)
			}
			if len(refs) == 0 {
				t.Fatalf("%s v%d: no addresses in the rewritten response", APIName(k.key), v)
			}
			for _, r := range refs {
				if *r.host != "proxy" || (*r.port != 19092 && *r.port != 19093) {
					t.Errorf("%s v%d: node %d still at %s:%d", APIName(k.key), v, *r.node, *r.host, *r.port)
				}
			}
		}
	}
}

func TestRewriteAddrsKeepsTheRest(t *testing.T) {
	body := addrResponse(3, 12).AppendTo(nil)
	out, err := RewriteAddrs(3, 12, body, proxyMapper)
	if err != nil {
		t.Fatal(err)
	}
	got := withVersion(kmsg.NewPtrMetadataResponse(), 12)
	if err := got.ReadFrom(out); err != nil {
		t.Fatal(err)
	}
	if got.ControllerID != 2 || len(got.Topics) != 1 || *got.Topics[0].Topic != "orders" || got.Topics[0].Partitions[0].Leader != 1 {
		t.Fatalf("rewrite changed more than addresses: %+v", got)
	}
}

func TestRewriteAddrsLeavesOthersAlone(t *testing.T) {
	body := addrResponse(0, 8).AppendTo(nil) // produce v8: no leader hints
	out, err := RewriteAddrs(0, 8, body, proxyMapper)
	if err != nil || !sameSlice(out, body) {
		t.Fatalf("produce v8 body was re-encoded (err %v)", err)
	}
	// An unchanged mapping returns the body as it is.
	body = addrResponse(3, 9).AppendTo(nil)
	out, _ = RewriteAddrs(3, 9, body, func(b BrokerAddr) (string, int32) { return b.Host, b.Port })
	if !sameSlice(out, body) {
		t.Fatal("identity mapping re-encoded the body")
	}
}

func TestRewriteAddrsSkipsErrorCoordinator(t *testing.T) {
	resp := withVersion(kmsg.NewPtrFindCoordinatorResponse(), 2)
	resp.NodeID, resp.ErrorCode = -1, 15
	calls := 0
	if _, err := RewriteAddrs(10, 2, resp.AppendTo(nil), func(b BrokerAddr) (string, int32) { calls++; return "p", 1 }); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Fatalf("mapper called %d times for an error answer", calls)
	}
}

func FuzzRewriteAddrs(f *testing.F) {
	for _, k := range rewrittenKeys {
		for _, v := range []int16{k.from, kmsg.ResponseForKey(k.key).MaxVersion()} {
			f.Add(k.key, v, addrResponse(k.key, v).AppendTo(nil))
		}
	}
	f.Fuzz(func(t *testing.T, key, version int16, body []byte) {
		out, err := RewriteAddrs(key, version, body, proxyMapper)
		if err != nil {
			return
		}
		_, refs, err := decodeAddrs(key, version, out)
		if err != nil {
			t.Fatalf("%d v%d: rewritten body does not decode: %v", key, version, err)
		}
		for _, r := range refs {
			if *r.host != "proxy" {
				t.Fatalf("%d v%d: node %d left at %s", key, version, *r.node, *r.host)
			}
		}
	})
}
