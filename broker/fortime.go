package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// kfake answers a ListOffsets for a time with the first offset of the
// first batch whose largest timestamp is at or past the time; Kafka
// answers with the first record at or past it (its time index finds the
// batch, then it reads the batch). timeConn corrects kfake's answers on
// their way out: for each partition asked for by time, it reads the log
// from kfake's offset as a client of the broker's own listener would and
// answers with the first record whose timestamp is at or past the time.
// Clients then need no correction of their own, as with real Kafka.

// forTimeWait bounds the correction of one answer (a client of the
// broker's own listener: connect, then a Metadata and a Fetch per
// partition); past it kfake's answer is passed on as it is.
const forTimeWait = 5 * time.Second

// timeConn corrects the ListOffsets answers of one client connection.
type timeConn struct {
	net.Conn
	b    *Broker
	reqs inflight[timeReq]
}

// timeReq is what a ListOffsets answer needs of its request: its version
// and the time asked for each partition asked by time.
type timeReq struct {
	version int16
	times   map[topicPart]int64
}

func newTimeConn(c net.Conn, b *Broker) *timeConn { return &timeConn{Conn: c, b: b} }

// request is the frame guard's hook: it remembers ListOffsets requests
// that ask for a time.
func (c *timeConn) request(h wire.RequestHeader, frame []byte) {
	if h.Key != apiListOffsets || h.Version < 1 {
		return
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.Version = h.Version
	if req.ReadFrom(frame[h.BodyOffset:]) != nil {
		return
	}
	times := map[topicPart]int64{}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			if p.Timestamp >= 0 {
				times[topicPart{t.Topic, p.Partition}] = p.Timestamp
			}
		}
	}
	if len(times) > 0 {
		c.reqs.add(h.CorrelationID, timeReq{version: h.Version, times: times})
	}
}

// Write sees whole response frames from kfake.
func (c *timeConn) Write(frame []byte) (int, error) {
	rq, ok := c.reqs.take(frame)
	if !ok {
		return c.Conn.Write(frame)
	}
	out := rewriteResponse(frame, replReq{key: apiListOffsets, version: rq.version}, kmsg.NewPtrListOffsetsResponse(),
		func(r kmsg.Response) bool { return c.b.correctForTime(r.(*kmsg.ListOffsetsResponse), rq.times) })
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

// correctForTime moves each answer to a time query to the first record at
// or past the time, reading with one client of the broker's own listener;
// it reports whether it changed any.
func (b *Broker) correctForTime(resp *kmsg.ListOffsetsResponse, times map[topicPart]int64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), forTimeWait)
	defer cancel()
	cl, err := kgo.NewClient(b.selfClientOpts()...)
	if err != nil {
		return false
	}
	defer cl.Close()
	changed := false
	for i := range resp.Topics {
		t := &resp.Topics[i]
		var refs map[int32]partitionRef // one Metadata request per topic, when needed
		for j := range t.Partitions {
			p := &t.Partitions[j]
			ms, asked := times[topicPart{t.Topic, p.Partition}]
			if !asked || p.ErrorCode != 0 || p.Offset < 0 {
				continue
			}
			if refs == nil {
				if refs, err = partitionsOf(ctx, cl, t.Topic); err != nil {
					break
				}
			}
			ref, ok := refs[p.Partition]
			if !ok {
				continue
			}
			off, ts, err := firstAtOrAfter(ctx, cl, ref, p.Offset, ms)
			if err == nil && off != p.Offset {
				p.Offset, p.Timestamp, changed = off, ts, true
			}
		}
	}
	return changed
}

// errNoRecord means the log holds no record at or past the time from the
// offset on (in what one Fetch returns).
var errNoRecord = errors.New("no record at or past the time")

// firstAtOrAfter returns the offset and timestamp of the first record of
// partition ref at or after offset from whose timestamp is at least ms,
// read with one Fetch through cl. Control records count, as in Kafka's
// lookup.
func firstAtOrAfter(ctx context.Context, cl *kgo.Client, ref partitionRef, from, ms int64) (int64, int64, error) {
	fp, err := fetchAt(ctx, cl, ref, from)
	if err != nil {
		return 0, 0, err
	}
	got, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Topic: ref.topic, Partition: ref.part, Offset: from, KeepControlRecords: true},
		fp, kgo.DefaultDecompressor(), nil)
	if got.Err != nil {
		return 0, 0, got.Err
	}
	for _, r := range got.Records {
		if r.Offset >= from && r.Timestamp.UnixMilli() >= ms {
			return r.Offset, r.Timestamp.UnixMilli(), nil
		}
	}
	return 0, 0, errNoRecord
}

// partitionsOf returns the topic's partitions that have a leader, with
// the topic id, from one Metadata request for the topic.
func partitionsOf(ctx context.Context, cl *kgo.Client, topic string) (map[int32]partitionRef, error) {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	refs := map[int32]partitionRef{}
	for _, t := range resp.Topics {
		if t.Topic == nil || *t.Topic != topic {
			continue
		}
		for _, p := range t.Partitions {
			if p.ErrorCode == 0 {
				refs[p.Partition] = partitionRef{topic: topic, id: t.TopicID, part: p.Partition, leader: p.Leader}
			}
		}
	}
	return refs, nil
}
