package broker

import (
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake keeps a partition's log in segments of log.segment.bytes (its own
// default is 100 MiB). Without a data dir a segment is an in-memory file
// that grows by doubling, copying what it holds each time: in a kq verify
// run that copy took a third of the broker's CPU. kq's broker sets the
// broker's log.segment.bytes to segmentBytes, so the copies stay small
// (a topic's segment.bytes still wins). Kafka's default is 1 GiB; the size
// only changes how finely retention deletes.
//
// kfake reports a broker setting as a dynamic broker config, and on every
// topic under the broker's name (log.segment.bytes) beside the topic's own
// default (segment.bytes, still at 100 MiB). cfgConn rewrites
// DescribeConfigs answers so that clients see segmentBytes as the default
// it is: segment.bytes of a topic and log.segment.bytes of a broker, with
// the source DEFAULT_CONFIG.

// segmentBytes is the built-in broker's log.segment.bytes.
const segmentBytes = 8 << 20

const apiDescribeConfigs = 32

// cfgConn rewrites the DescribeConfigs answers of one client connection.
type cfgConn struct {
	net.Conn
	reqs inflight[int16] // each DescribeConfigs request's version
}

func newCfgConn(c net.Conn) *cfgConn { return &cfgConn{Conn: c} }

// request is the frame guard's hook: it remembers DescribeConfigs
// requests.
func (c *cfgConn) request(h wire.RequestHeader, _ []byte) {
	if h.Key == apiDescribeConfigs {
		c.reqs.add(h.CorrelationID, h.Version)
	}
}

// Write sees whole response frames from kfake.
func (c *cfgConn) Write(frame []byte) (int, error) {
	version, ok := c.reqs.take(frame)
	if !ok {
		return c.Conn.Write(frame)
	}
	out := rewriteResponse(frame, replReq{key: apiDescribeConfigs, version: version}, kmsg.NewPtrDescribeConfigsResponse(),
		func(r kmsg.Response) bool { return showSegmentDefault(r.(*kmsg.DescribeConfigsResponse)) })
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

// showSegmentDefault presents segmentBytes as the broker's default in a
// DescribeConfigs answer; it reports whether it changed anything. A
// log.segment.bytes someone set to another value stays as kfake reports
// it, and so does the topic's segment.bytes beside it.
func showSegmentDefault(resp *kmsg.DescribeConfigsResponse) bool {
	ours := strconv.Itoa(segmentBytes)
	changed := false
	for i := range resp.Resources {
		r := &resp.Resources[i]
		switch r.ResourceType {
		case kmsg.ConfigResourceTypeTopic:
			if !brokerSegmentChanged(r.Configs, ours) {
				changed = showTopicSegmentDefault(r, ours) || changed
			}
		case kmsg.ConfigResourceTypeBroker:
			for j := range r.Configs {
				if c := &r.Configs[j]; isOurSegmentSetting(c, ours) {
					c.Source, c.IsDefault, c.ReadOnly, c.ConfigSynonyms = kmsg.ConfigSourceDefaultConfig, true, false, nil
					changed = true
				}
			}
		}
	}
	return changed
}

// showTopicSegmentDefault drops kfake's log.segment.bytes entry from a
// topic's configs and gives segment.bytes's default (as the entry or as
// a synonym under the topic's own setting) the value ours.
func showTopicSegmentDefault(r *kmsg.DescribeConfigsResponseResource, ours string) bool {
	changed := false
	keep := r.Configs[:0]
	for _, c := range r.Configs {
		if isOurSegmentSetting(&c, ours) {
			changed = true
			continue
		}
		if c.Name == "segment.bytes" {
			if c.Source == kmsg.ConfigSourceDefaultConfig {
				c.Value, changed = &ours, true
			}
			for k := range c.ConfigSynonyms {
				if s := &c.ConfigSynonyms[k]; s.Source == kmsg.ConfigSourceDefaultConfig {
					s.Value, changed = &ours, true
				}
			}
		}
		keep = append(keep, c)
	}
	r.Configs = keep
	return changed
}

// isBrokerSegmentSetting reports whether c is the broker's
// log.segment.bytes as kfake reports a broker setting.
func isBrokerSegmentSetting(c *kmsg.DescribeConfigsResponseResourceConfig) bool {
	return c.Name == "log.segment.bytes" && c.Source == kmsg.ConfigSourceDynamicBrokerConfig
}

// isOurSegmentSetting reports whether c is the broker's log.segment.bytes
// as kq's broker set it.
func isOurSegmentSetting(c *kmsg.DescribeConfigsResponseResourceConfig, ours string) bool {
	return isBrokerSegmentSetting(c) && c.Value != nil && *c.Value == ours
}

// brokerSegmentChanged reports whether a topic's configs show the
// broker's log.segment.bytes set to something other than ours.
func brokerSegmentChanged(configs []kmsg.DescribeConfigsResponseResourceConfig, ours string) bool {
	for i := range configs {
		if c := &configs[i]; isBrokerSegmentSetting(c) && !isOurSegmentSetting(c, ours) {
			return true
		}
	}
	return false
}
