package broker

import (
	"encoding/binary"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// replConn applies the replication model (replication.go) to one client
// connection. It learns each request from the frame guard (the whole,
// checked frame, before kfake sees it) and rewrites kfake's responses:
// Produce answers record the appended batches and, for acks=all, wait
// until the batches are replicated (or report NOT_LEADER_OR_FOLLOWER when
// a failover lost them meanwhile); Fetch and ListOffsets answers are capped
// at the replicated high watermark and never show a lost batch.
type replConn struct {
	net.Conn
	b *Broker
	r *replication

	reqs     inflight[replReq]
	sessions fetchSessions
}

// replReq is what a response needs of its request.
type replReq struct {
	key, version int16
	acks         int16
	counts       map[topicPart]int32 // Produce: records per partition
	// kept, for an acks=all Produce, are the partitions whose batch is an
	// idempotent producer's (a failover keeps it: replication.failover).
	kept map[topicPart]bool
	// newSession, for a Fetch that opens a fetch session, are the
	// partitions it lists (registered under the id of the answer).
	newSession []fetchPos
}

const (
	apiListOffsets = 2
	// maxReplWaits bounds how often an acks=all answer waits again for
	// earlier batches recorded after it (a few at most in practice).
	maxReplWaits = 8
)

func newReplConn(c net.Conn, b *Broker) *replConn {
	return &replConn{Conn: c, b: b, r: b.repl}
}

// request is the frame guard's hook: it sees every request frame payload.
func (c *replConn) request(h wire.RequestHeader, frame []byte) {
	rq := replReq{key: h.Key, version: h.Version}
	switch h.Key {
	case apiListOffsets, apiDescribeTopicPartitions, apiMetadata:
	case apiFetch:
		req := kmsg.NewPtrFetchRequest()
		req.Version = h.Version
		if req.ReadFrom(frame[h.BodyOffset:]) != nil {
			return
		}
		for _, t := range req.Topics {
			c.b.learnTopicID(t.Topic, t.TopicID)
		}
		listed := c.fetchPositions(req)
		if req.SessionEpoch == 0 {
			rq.newSession = append(make([]fetchPos, 0, len(listed)), listed...)
		}
		if all, ok := c.sessions.positions(req, listed, c.forgotten(req)); ok {
			c.holdFetch(all, req.MaxWaitMillis)
		}
	case apiProduce:
		req := kmsg.NewPtrProduceRequest()
		req.Version = h.Version
		if req.ReadFrom(frame[h.BodyOffset:]) != nil {
			return
		}
		rq.acks, rq.counts = req.Acks, map[topicPart]int32{}
		for _, t := range req.Topics {
			c.b.learnTopicID(t.Topic, t.TopicID)
			name := c.r.name(t.Topic, t.TopicID)
			c.b.learnTopic(name)
			for _, p := range t.Partitions {
				if len(p.Records) < wire.BatchHeaderLen {
					continue
				}
				tp := topicPart{name, p.Partition}
				rq.counts[tp] = int32(binary.BigEndian.Uint32(p.Records[wire.BatchRecordCount:]))
				if req.Acks == -1 && int64(binary.BigEndian.Uint64(p.Records[wire.BatchProducerID:])) >= 0 {
					if rq.kept == nil {
						rq.kept = map[topicPart]bool{}
					}
					rq.kept[tp] = true
				}
			}
		}
	default:
		return
	}
	c.reqs.add(h.CorrelationID, rq)
}

// holdFetch holds a Fetch request that reads from the partitions at
// positions and could see no record now but will once the followers have
// one, as Kafka holds a fetch until the high watermark moves (or its
// MaxWait ends). kfake's log has no followers: it would answer at once with
// records past the high watermark, which the answer then drops (capFetch),
// and the client would ask again at once, reading the unreplicated tail
// over and over.
func (c *replConn) holdFetch(positions []fetchPos, maxWaitMillis int32) {
	if maxWaitMillis <= 0 {
		return
	}
	now := time.Now()
	var until time.Time
	for _, p := range positions {
		w := c.r.fetchWait(p.tp, p.offset, now)
		if w.ready {
			return
		}
		if !w.at.IsZero() && (until.IsZero() || w.at.Before(until)) {
			until = w.at
		}
	}
	if !until.IsZero() {
		time.Sleep(min(until.Sub(now), time.Duration(maxWaitMillis)*time.Millisecond))
	}
}

// fetchPositions returns the partitions a Fetch request lists, with their
// fetch offsets.
func (c *replConn) fetchPositions(req *kmsg.FetchRequest) []fetchPos {
	var out []fetchPos
	for _, t := range req.Topics {
		name := c.r.name(t.Topic, t.TopicID)
		for _, p := range t.Partitions {
			out = append(out, fetchPos{topicPart{name, p.Partition}, p.FetchOffset})
		}
	}
	return out
}

// forgotten returns the partitions a Fetch request drops from its session.
func (c *replConn) forgotten(req *kmsg.FetchRequest) []topicPart {
	var out []topicPart
	for _, t := range req.ForgottenTopics {
		name := c.r.name(t.Topic, t.TopicID)
		for _, p := range t.Partitions {
			out = append(out, topicPart{name, p})
		}
	}
	return out
}

// Write sees whole response frames (length prefix included) from kfake.
func (c *replConn) Write(frame []byte) (int, error) {
	rq, ok := c.reqs.take(frame)
	if !ok {
		return c.Conn.Write(frame)
	}
	out := frame
	switch rq.key {
	case apiProduce:
		out = c.produced(frame, rq)
	case apiFetch:
		out = rewriteResponse(frame, rq, kmsg.NewPtrFetchResponse(), func(r kmsg.Response) bool {
			resp := r.(*kmsg.FetchResponse)
			if rq.newSession != nil && resp.ErrorCode == 0 && resp.SessionID > 0 {
				c.sessions.started(resp.SessionID, rq.newSession)
			}
			return c.capFetch(resp)
		})
	case apiListOffsets:
		out = rewriteResponse(frame, rq, kmsg.NewPtrListOffsetsResponse(), func(r kmsg.Response) bool {
			return c.capListOffsets(r.(*kmsg.ListOffsetsResponse))
		})
	case apiMetadata:
		if c.r.isShrunk() {
			out = rewriteResponse(frame, rq, kmsg.NewPtrMetadataResponse(), func(r kmsg.Response) bool {
				return shrinkMetadata(r.(*kmsg.MetadataResponse))
			})
		}
	case apiDescribeTopicPartitions:
		if c.r.isShrunk() {
			out = rewriteResponse(frame, rq, kmsg.NewPtrDescribeTopicPartitionsResponse(), func(r kmsg.Response) bool {
				return shrinkDescribePartitions(r.(*kmsg.DescribeTopicPartitionsResponse))
			})
		}
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(frame), nil
}

// rewriteResponse decodes a response frame into resp, lets edit change it
// and returns the re-encoded frame, or the frame itself when edit changed
// nothing or the frame does not decode.
func rewriteResponse(frame []byte, rq replReq, resp kmsg.Response, edit func(kmsg.Response) bool) []byte {
	resp.SetVersion(rq.version)
	h, err := wire.ParseResponseHeader(frame[4:], rq.key, rq.version)
	if err != nil || resp.ReadFrom(frame[4+h.BodyOffset:]) != nil || !edit(resp) {
		return frame
	}
	out := append([]byte(nil), frame[:4+h.BodyOffset]...)
	out = resp.AppendTo(out)
	binary.BigEndian.PutUint32(out[:4], uint32(len(out)-4))
	return out
}

// produced records the batches a Produce answer reports appended; for
// acks=all it returns only once they are replicated, with
// NOT_LEADER_OR_FOLLOWER for a partition whose batch a failover lost and
// NOT_ENOUGH_REPLICAS_AFTER_APPEND where the ISR fell below
// min.insync.replicas meanwhile.
func (c *replConn) produced(frame []byte, rq replReq) []byte {
	type batch struct {
		tp         topicPart
		start, end int64
	}
	var batches []batch
	var wait time.Time
	now := time.Now()
	return rewriteResponse(frame, rq, kmsg.NewPtrProduceResponse(), func(r kmsg.Response) bool {
		resp := r.(*kmsg.ProduceResponse)
		for _, t := range resp.Topics {
			name := c.r.name(t.Topic, t.TopicID)
			for _, p := range t.Partitions {
				tp := topicPart{name, p.Partition}
				n, ok := rq.counts[tp]
				if p.ErrorCode != 0 || !ok || p.BaseOffset < 0 {
					continue
				}
				at := c.r.appendedBatch(tp, p.BaseOffset, p.BaseOffset+int64(n), rq.kept[tp], now)
				batches = append(batches, batch{tp, p.BaseOffset, p.BaseOffset + int64(n)})
				if at.After(wait) {
					wait = at
				}
			}
		}
		if rq.acks != -1 || len(batches) == 0 {
			return false
		}
		time.Sleep(time.Until(wait))
		for range maxReplWaits {
			// An earlier batch of the partition, answered on another
			// connection, may have been recorded after this one with a
			// later arrival: Kafka's acks=all waits for the high
			// watermark, so wait for it too rather than report a write
			// that is in the log (and will be read) as not written.
			wait = time.Time{}
			for _, b := range batches {
				if at := c.r.replicatedBy(b.tp, b.end); at.After(wait) {
					wait = at
				}
			}
			if !wait.After(time.Now()) {
				break
			}
			time.Sleep(time.Until(wait))
		}
		changed := false
		for i := range resp.Topics {
			t := &resp.Topics[i]
			name := c.r.name(t.Topic, t.TopicID)
			for j := range t.Partitions {
				p := &t.Partitions[j]
				n, ok := rq.counts[topicPart{name, p.Partition}]
				switch {
				case p.ErrorCode != 0 || !ok:
				case !c.r.replicated(topicPart{name, p.Partition}, p.BaseOffset, p.BaseOffset+int64(n), time.Now()):
					p.ErrorCode, p.BaseOffset, changed = kerr.NotLeaderForPartition.Code, -1, true
				case c.r.refuse(name):
					// The ISR shrank below min.insync.replicas while
					// the write waited: Kafka answers so, the write
					// being on the leader (and maybe lost later).
					p.ErrorCode, p.BaseOffset, changed = kerr.NotEnoughReplicasAfterAppend.Code, -1, true
				}
			}
		}
		return changed
	})
}

// capFetch caps every partition of a Fetch answer at its replicated high
// watermark and drops lost batches.
func (c *replConn) capFetch(resp *kmsg.FetchResponse) bool {
	changed := false
	now := time.Now()
	for i := range resp.Topics {
		t := &resp.Topics[i]
		name := c.r.name(t.Topic, t.TopicID)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			tp := topicPart{name, p.Partition}
			if p.ErrorCode == 0 {
				raw, end := p.RecordBatches, p.HighWatermark
				c.r.discoverData(tp, end, true, func(from int64) bool { return dataPast(raw, from, end) }, now)
			}
			hw := c.r.highWatermark(tp, now)
			lost := c.r.hidden(tp)
			if v := c.r.visibleEnd(tp, p.HighWatermark, now); v != p.HighWatermark {
				p.HighWatermark, changed = v, true
			}
			if hw < 0 && len(lost) == 0 {
				continue
			}
			if v := c.r.visibleEnd(tp, p.LastStableOffset, now); v != p.LastStableOffset {
				p.LastStableOffset, changed = v, true
			}
			if kept, ok := keepBatches(p.RecordBatches, hw, lost); ok {
				p.RecordBatches, changed = kept, true
			}
		}
	}
	return changed
}

// keepBatches drops, from raw record batches, those at or past hw (when
// hw >= 0) and those in a lost range; false when it dropped nothing.
func keepBatches(raw []byte, hw int64, lost []offsetRange) ([]byte, bool) {
	if n, ok := keptPrefix(raw, hw, lost); ok {
		return raw[:n:n], n < len(raw)
	}
	return copyKept(raw, hw, lost)
}

// copyKept is keepBatches by copying the batches kept.
func copyKept(raw []byte, hw int64, lost []offsetRange) ([]byte, bool) {
	var out []byte
	changed := false
	for rest := raw; ; {
		b, next, ok := wire.NextBatch(rest)
		if !ok {
			if changed && len(rest) >= wire.LogOverhead { // a partial batch stays, a shorter tail does not
				out = append(out, rest...)
			}
			break
		}
		drop := dropped(b, hw, lost)
		if drop && !changed {
			// Never nil: a null record set breaks sarama's decoding.
			out, changed = append(make([]byte, 0, len(raw)), raw[:len(raw)-len(rest)]...), true
		}
		if !drop && changed {
			out = append(out, b...)
		}
		rest = next
	}
	return out, changed
}

// dropped reports whether keepBatches drops batch b: it ends past hw
// (when hw >= 0) or overlaps a lost range.
func dropped(b []byte, hw int64, lost []offsetRange) bool {
	base, end := wire.BatchBase(b), wire.BatchEnd(b)
	if hw >= 0 && end > hw {
		return true
	}
	for _, l := range lost {
		if base < l.to && end > l.from {
			return true
		}
	}
	return false
}

// keptPrefix returns the length of the batches keepBatches keeps when
// they are a prefix of raw followed only by dropped batches (the common
// case: a tail past the high watermark, no lost range), so no copy is
// needed; false otherwise. A partial batch at the end counts as kept.
func keptPrefix(raw []byte, hw int64, lost []offsetRange) (int, bool) {
	kept := 0
	for rest := raw; ; {
		b, next, ok := wire.NextBatch(rest)
		if !ok {
			// keepBatches keeps a partial batch (of at least a batch
			// header's offset and length) after dropped ones: only a
			// copy does that.
			partial := len(rest) >= wire.LogOverhead
			if kept == len(raw)-len(rest) {
				return len(raw), true // nothing dropped
			}
			return kept, !partial
		}
		drop := dropped(b, hw, lost)
		switch {
		case !drop && kept < len(raw)-len(rest):
			return 0, false // a kept batch after a dropped one
		case !drop:
			kept += len(b)
		}
		rest = next
	}
}

// capListOffsets caps the offsets a ListOffsets answer gives at the
// replicated high watermark.
func (c *replConn) capListOffsets(resp *kmsg.ListOffsetsResponse) bool {
	changed := false
	now := time.Now()
	for i := range resp.Topics {
		t := &resp.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			if p.Offset < 0 || p.ErrorCode != 0 {
				continue
			}
			tp := topicPart{t.Topic, p.Partition}
			if v := c.r.visibleEnd(tp, p.Offset, now); v != p.Offset {
				p.Offset, changed = v, true
			}
		}
	}
	return changed
}

// dataPast reports whether the leader's log may hold data past offset
// from up to end, judged from raw, the record batches of a Fetch answer:
// false only when raw shows batches up to end and every one past from is
// a control batch (a transaction marker).
func dataPast(raw []byte, from, end int64) bool {
	last := from
	for {
		b, rest, ok := wire.NextBatch(raw)
		if !ok {
			break
		}
		raw = rest
		bend := wire.BatchEnd(b)
		if bend <= from {
			continue
		}
		if binary.BigEndian.Uint16(b[wire.BatchAttributes:])&wire.AttrControl == 0 {
			return true
		}
		last = bend
	}
	return last < end
}
