package broker

import (
	"net"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// apiDescribeCluster is the DescribeCluster API key.
const apiDescribeCluster = 60

// downConn rewrites, on one client connection, the answers that name
// nodes while a node is stopped (see nodes.go): Metadata,
// DescribeTopicPartitions and DescribeCluster leave stopped nodes out of
// the broker list and the ISRs, list them as offline replicas, answer
// LEADER_NOT_AVAILABLE for a partition still led by one (and have it
// moved), and name a live controller.
type downConn struct {
	net.Conn
	b    *Broker
	reqs inflight[replReq]
}

func newDownConn(c net.Conn, b *Broker) *downConn {
	return &downConn{Conn: c, b: b}
}

// request is the frame guard's hook: it remembers the version of each
// request whose answer names nodes.
func (c *downConn) request(h wire.RequestHeader, _ []byte) {
	switch h.Key {
	case apiMetadata, apiDescribeTopicPartitions, apiDescribeCluster:
		c.reqs.add(h.CorrelationID, replReq{key: h.Key, version: h.Version})
	}
}

// Write sees whole response frames (length prefix included) from kfake.
func (c *downConn) Write(frame []byte) (int, error) {
	rq, ok := c.reqs.take(frame)
	v := c.b.nodes()
	if !ok || !v.anyStopped() {
		return c.Conn.Write(frame)
	}
	out := frame
	switch rq.key {
	case apiMetadata:
		out = rewriteResponse(frame, rq, kmsg.NewPtrMetadataResponse(), func(r kmsg.Response) bool {
			return c.fixMetadata(v, r.(*kmsg.MetadataResponse))
		})
	case apiDescribeTopicPartitions:
		out = rewriteResponse(frame, rq, kmsg.NewPtrDescribeTopicPartitionsResponse(), func(r kmsg.Response) bool {
			return c.fixDescribePartitions(v, r.(*kmsg.DescribeTopicPartitionsResponse))
		})
	case apiDescribeCluster:
		out = rewriteResponse(frame, rq, kmsg.NewPtrDescribeClusterResponse(), func(r kmsg.Response) bool {
			resp := r.(*kmsg.DescribeClusterResponse)
			resp.Brokers = slices.DeleteFunc(resp.Brokers, func(br kmsg.DescribeClusterResponseBroker) bool { return v.stopped[br.NodeID] })
			resp.ControllerID = v.shown
			return true
		})
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

func (c *downConn) fixMetadata(v *nodeView, resp *kmsg.MetadataResponse) bool {
	resp.Brokers = slices.DeleteFunc(resp.Brokers, func(br kmsg.MetadataResponseBroker) bool { return v.stopped[br.NodeID] })
	resp.ControllerID = v.shown
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			c.fixPartition(v, t.Topic, p.Partition, &p.ErrorCode, &p.Leader, p.Replicas, &p.ISR, &p.OfflineReplicas)
		}
	}
	return true
}

func (c *downConn) fixDescribePartitions(v *nodeView, resp *kmsg.DescribeTopicPartitionsResponse) bool {
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			c.fixPartition(v, t.Topic, p.Partition, &p.ErrorCode, &p.LeaderID, p.Replicas, &p.ISR, &p.OfflineReplicas)
		}
	}
	return true
}

// fixPartition takes stopped nodes out of a partition's ISR, lists them
// as offline replicas, and reports a partition they still lead as having
// no leader while it is moved to a live node.
func (c *downConn) fixPartition(v *nodeView, topic *string, part int32, errCode *int16, leader *int32, reps []int32, isr, offline *[]int32) {
	if topic == nil || *errCode != 0 {
		return
	}
	*isr = slices.DeleteFunc(*isr, func(id int32) bool { return v.stopped[id] })
	for _, id := range reps {
		if v.stopped[id] && !slices.Contains(*offline, id) {
			*offline = append(*offline, id)
		}
	}
	if v.stopped[*leader] {
		*errCode, *leader = kerr.LeaderNotAvailable.Code, -1
		go c.b.electAway(*topic, part)
	}
}
