package chaos

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// BrokerAddr is a broker address as a response advertises it.
type BrokerAddr struct {
	// Node is the broker's node id.
	Node int32
	// Host is the advertised host.
	Host string
	// Port is the advertised port.
	Port int32
}

// AddrMapper returns the address clients should see for a broker.
type AddrMapper func(b BrokerAddr) (host string, port int32)

// addrRef points at the address fields of one broker inside a decoded
// response.
type addrRef struct {
	node *int32
	host *string
	port *int32
}

// RewriteAddrs decodes a response body answering a request of API key at
// version, passes every broker address in it to m (in ascending node id
// order), and re-encodes the body when an address changed. The responses that name brokers are Metadata,
// FindCoordinator (the single coordinator of v0-3 and the batch of v4+),
// DescribeCluster, and the leader hints (KIP-951) of Produce v9+, Fetch
// v12+, ShareFetch and ShareAcknowledge. Any other body is returned as is;
// so is a coordinator entry with a negative node id (an error answer). A
// version kmsg does not know is an error: its layout cannot be trusted.
func RewriteAddrs(key, version int16, body []byte, m AddrMapper) ([]byte, error) {
	resp, refs, err := decodeAddrs(key, version, body)
	if err != nil || len(refs) == 0 {
		return body, err
	}
	slices.SortStableFunc(refs, func(a, b addrRef) int { return cmp.Compare(*a.node, *b.node) })
	changed := false
	for _, r := range refs {
		host, port := m(BrokerAddr{Node: *r.node, Host: *r.host, Port: *r.port})
		if host != *r.host || port != *r.port {
			*r.host, *r.port, changed = host, port, true
		}
	}
	if !changed {
		return body, nil
	}
	return resp.AppendTo(nil), nil
}

// namesBrokers reports whether responses of key at version can carry
// broker addresses.
func namesBrokers(key, version int16) bool {
	switch key {
	case 3, 10, 60, 78, 79:
		return true
	case 0:
		return version >= 9
	case 1:
		return version >= 12
	}
	return false
}

// decodeAddrs decodes body and returns it with its broker address fields.
func decodeAddrs(key, version int16, body []byte) (kmsg.Response, []addrRef, error) {
	if !namesBrokers(key, version) {
		return nil, nil, nil
	}
	resp := kmsg.ResponseForKey(key)
	if version < 0 || version > resp.MaxVersion() {
		return nil, nil, fmt.Errorf("chaos: %s v%d responses are not known", APIName(key), version)
	}
	resp.SetVersion(version)
	if err := decodeBounded(resp, body, decodeTimeout); err != nil {
		return nil, nil, fmt.Errorf("chaos: decode %s v%d response: %w", APIName(key), version, err)
	}
	return resp, addrRefs(resp), nil
}

// addrRefs lists the broker address fields of a decoded response.
func addrRefs(resp kmsg.Response) []addrRef {
	var refs []addrRef
	add := func(node *int32, host *string, port *int32) {
		if *node >= 0 {
			refs = append(refs, addrRef{node, host, port})
		}
	}
	switch r := resp.(type) {
	case *kmsg.MetadataResponse:
		for i := range r.Brokers {
			b := &r.Brokers[i]
			add(&b.NodeID, &b.Host, &b.Port)
		}
	case *kmsg.FindCoordinatorResponse:
		if r.Version < 4 {
			add(&r.NodeID, &r.Host, &r.Port)
		}
		for i := range r.Coordinators {
			c := &r.Coordinators[i]
			add(&c.NodeID, &c.Host, &c.Port)
		}
	default:
		leaderHintRefs(resp, add)
	}
	return refs
}

// leaderHintRefs lists the address fields of DescribeCluster and of the
// leader hints of Produce, Fetch, ShareFetch and ShareAcknowledge.
func leaderHintRefs(resp kmsg.Response, add func(*int32, *string, *int32)) {
	switch r := resp.(type) {
	case *kmsg.DescribeClusterResponse:
		for i := range r.Brokers {
			add(&r.Brokers[i].NodeID, &r.Brokers[i].Host, &r.Brokers[i].Port)
		}
	case *kmsg.ProduceResponse:
		for i := range r.Brokers {
			add(&r.Brokers[i].NodeID, &r.Brokers[i].Host, &r.Brokers[i].Port)
		}
	case *kmsg.FetchResponse:
		for i := range r.Brokers {
			add(&r.Brokers[i].NodeID, &r.Brokers[i].Host, &r.Brokers[i].Port)
		}
	case *kmsg.ShareFetchResponse:
		for i := range r.NodeEndpoints {
			add(&r.NodeEndpoints[i].NodeID, &r.NodeEndpoints[i].Host, &r.NodeEndpoints[i].Port)
		}
	case *kmsg.ShareAcknowledgeResponse:
		for i := range r.NodeEndpoints {
			add(&r.NodeEndpoints[i].NodeID, &r.NodeEndpoints[i].Host, &r.NodeEndpoints[i].Port)
		}
	}
}
