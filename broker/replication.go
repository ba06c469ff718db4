package broker

import (
	"sort"
	"sync"
	"time"
)

// kfake keeps one log per partition that every node serves: a write is on
// every replica the moment it is appended, so no leader failure can lose
// anything. Kafka loses what the followers had not fetched yet. replication
// models that from a client's point of view, per partition:
//
//   - followers trail the leader by the replica lag: a batch appended at t
//     is on the in-sync followers at t+lag (at once when the in-sync
//     replica set, ISR, is the leader alone);
//   - the high watermark is the end of the replicated prefix; Fetch and
//     ListOffsets never show more (see replconn.go);
//   - acks=all is answered once the batch is replicated, acks=1 at once;
//     acks=all with fewer in-sync replicas than the topic's
//     min.insync.replicas is refused with NOT_ENOUGH_REPLICAS;
//   - a leader change loses the tail the new leader did not have: it stays
//     hidden for good and offsets after it have a gap;
//   - an ISR shrink (the isr-shrink fault) freezes the followers where they
//     are: the high watermark then follows the leader alone, and a leader
//     change in that state loses everything after the frozen position,
//     acks=all writes included.
type replication struct {
	lag time.Duration

	mu     sync.Mutex
	parts  map[topicPart]*partRepl
	shrunk bool
	live   func() int // live nodes
	topics map[string]topicConf
	ids    map[[16]byte]string // topic ids (requests from v13 name no topic)
	// cuts are the unreplicated tails failovers cut, oldest first (at
	// most maxCuts).
	cuts []TailCut
}

// TailCut is one unreplicated tail a leader change cut off a partition:
// the records the new leader did not have, lost for good.
type TailCut struct {
	// At is when the leader changed.
	At time.Time
	// Topic and Partition name the partition.
	Topic     string
	Partition int32
	// From and To are the tail's offsets, From through To-1.
	From, To int64
	// Records is how many offsets the tail held (To-From).
	Records int64
	// Shrunk is set when the ISR was the leader alone (isr-shrink): the
	// tail may hold acks=all writes the leader alone acknowledged.
	Shrunk bool
}

// maxCuts bounds the tail cuts remembered.
const maxCuts = 100_000

type topicPart struct {
	topic string
	part  int32
}

// topicConf is what the model needs of a topic's configuration.
type topicConf struct {
	replicas int // replication factor
	minISR   int // min.insync.replicas
}

// pendingBatch is an appended batch the followers may not have yet.
type pendingBatch struct {
	start, end int64 // offsets [start, end)
	at         time.Time
	// kept marks an idempotent producer's acks=all batch, which a
	// failover does not cut (see replication.failover).
	kept bool
}

// partRepl is one partition's replication state.
type partRepl struct {
	pending []pendingBatch // by start offset
	frozen  int64          // followers' position while the ISR is shrunk
	lost    []offsetRange  // hidden for good, by start
	leo     int64          // highest end seen
	// shown is the highest end a client was told (the high watermark of
	// an answer): what a client saw is never lost.
	shown int64
}

// offsetRange is a half-open range of offsets [from, to).
type offsetRange struct{ from, to int64 }

func newReplication(lag time.Duration, live func() int) *replication {
	return &replication{lag: lag, parts: map[topicPart]*partRepl{}, live: live, topics: map[string]topicConf{}, ids: map[[16]byte]string{}}
}

// name returns the topic's name: name itself, or the name of id when name
// is empty ("" when the id is not known).
func (r *replication) name(name string, id [16]byte) string {
	if name != "" {
		return name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}

// knowsID reports whether the topic id's name is known.
func (r *replication) knowsID(id [16]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

// setID records a topic id's name.
func (r *replication) setID(id [16]byte, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids[id] = name
}

func (r *replication) part(tp topicPart) *partRepl {
	p := r.parts[tp]
	if p == nil {
		p = &partRepl{}
		r.parts[tp] = p
	}
	return p
}

// setTopic records a topic's configuration.
func (r *replication) setTopic(topic string, c topicConf) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.topics[topic] = c
}

// forgetTopic drops what is known of a topic's configuration (it was
// altered or deleted); it is looked up again on the next produce.
func (r *replication) forgetTopic(topic string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.topics, topic)
}

// knows reports whether the topic's configuration is known.
func (r *replication) knows(topic string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.topics[topic]
	return ok
}

// isrSize returns the number of in-sync replicas of the topic's
// partitions, the leader included.
func (r *replication) isrSizeLocked(topic string) int {
	if r.shrunk {
		return 1
	}
	n := r.topics[topic].replicas
	if n <= 0 {
		n = 1
	}
	return max(min(n, r.live()), 1)
}

// refuse reports whether an acks=all write to topic must be refused with
// NOT_ENOUGH_REPLICAS.
func (r *replication) refuse(topic string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.isrSizeLocked(topic) < r.topics[topic].minISR
}

// appended records a batch [start, end) the leader appended at now and
// returns when the in-sync replicas have it.
func (r *replication) appended(tp topicPart, start, end int64, now time.Time) time.Time {
	return r.appendedBatch(tp, start, end, false, now)
}

// appendedBatch is appended for a batch a failover keeps when kept is set
// (an idempotent producer's acks=all batch).
func (r *replication) appendedBatch(tp topicPart, start, end int64, kept bool, now time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.part(tp)
	p.leo = max(p.leo, end)
	if end <= p.shown {
		// Clients saw it already (discovered): it is replicated.
		return now
	}
	return r.pendLocked(p, tp, start, end, kept, now)
}

// pendLocked makes [start, end) pending on the followers from now (kept:
// a failover keeps it) and returns when they have it (now when the ISR is
// the leader alone).
func (r *replication) pendLocked(p *partRepl, tp topicPart, start, end int64, kept bool, now time.Time) time.Time {
	if r.lag <= 0 || r.isrSizeLocked(tp.topic) <= 1 {
		return now
	}
	at := now.Add(r.lag)
	i := sort.Search(len(p.pending), func(i int) bool { return p.pending[i].start >= start })
	p.pending = append(p.pending, pendingBatch{})
	copy(p.pending[i+1:], p.pending[i:])
	p.pending[i] = pendingBatch{start: start, end: end, at: at, kept: kept}
	return at
}

// discover records that the leader's log of tp ends at end, as an answer
// of the broker says. kfake appends a produced batch (and serves it to a
// waiting Fetch) before its Produce answer tells the model, and appends
// transaction markers and acks=0 batches without telling it at all: what
// is past the end the model knows is taken as appended now, so no client
// sees it before the followers could have it. A partition the model meets
// first here is taken as replicated up to end when meet is set (end is
// then the log end), and left alone otherwise.
func (r *replication) discover(tp topicPart, end int64, meet bool, now time.Time) {
	r.discoverData(tp, end, meet, func(int64) bool { return true }, now)
}

// discoverData is discover where data(from) tells whether the leader's
// log holds more than transaction markers from offset from to end: a
// tail of markers alone is taken as replicated at once (Kafka writes
// them with acks=all before it answers WriteTxnMarkers).
func (r *replication) discoverData(tp topicPart, end int64, meet bool, data func(from int64) bool, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		if meet {
			r.parts[tp] = &partRepl{leo: end, shown: end}
		}
		return
	}
	if end <= p.leo {
		return
	}
	if data(p.leo) {
		r.pendLocked(p, tp, p.leo, end, false, now)
	}
	p.leo = end
}

// highWatermark returns the partition's replicated end at now, or -1 when
// nothing is pending (the broker's own high watermark holds). It also
// drops what has been replicated.
func (r *replication) highWatermark(tp topicPart, now time.Time) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return -1
	}
	return p.capLocked(now)
}

func (p *partRepl) capLocked(now time.Time) int64 {
	// Followers fetch in order: the replicated prefix ends at the first
	// batch they do not have yet.
	done := 0
	for done < len(p.pending) && !p.pending[done].at.After(now) {
		done++
	}
	if done == len(p.pending) {
		p.pending = p.pending[:0]
		return -1
	}
	// A later batch replicated earlier (acks=all waits) does not make
	// an earlier one replicated: keep every pending batch from the first
	// unreplicated one.
	p.pending = append(p.pending[:0], p.pending[done:]...)
	return p.pending[0].start
}

// replicatedBy returns when the in-sync replicas will have tp's log up to
// end as far as the model knows now: the latest arrival among the pending
// batches that start below end (followers fetch in order, so a batch is
// replicated only with every batch before it). It is the zero time when
// nothing below end is pending.
func (r *replication) replicatedBy(tp topicPart, end int64) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return time.Time{}
	}
	return p.replicatedByLocked(end)
}

// replicatedByLocked is replicatedBy for the partition p.
func (p *partRepl) replicatedByLocked(end int64) time.Time {
	var at time.Time
	for _, b := range p.pending {
		if b.start >= end {
			break
		}
		if b.at.After(at) {
			at = b.at
		}
	}
	return at
}

// replicated reports whether [start, end) is on the in-sync replicas and
// not lost.
func (r *replication) replicated(tp topicPart, start, end int64, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return true
	}
	if p.lostLocked(start, end) {
		return false
	}
	hw := p.capLocked(now)
	return hw < 0 || end <= hw
}

func (p *partRepl) lostLocked(start, end int64) bool {
	for _, l := range p.lost {
		if start < l.to && end > l.from {
			return true
		}
	}
	return false
}

// visibleEnd returns what a client may be told is the end of tp's log
// (high watermark, last stable or latest offset) when the broker says end:
// at most the replicated high watermark, and never the end of a lost range
// that nothing follows (its start then, where the new leader's log ends).
func (r *replication) visibleEnd(tp topicPart, end int64, now time.Time) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return end
	}
	if hw := p.capLocked(now); hw >= 0 && end > hw {
		end = hw
	}
	for i := len(p.lost) - 1; i >= 0; i-- {
		if l := p.lost[i]; end > l.from && end <= l.to {
			end = l.from
		}
	}
	p.shown = max(p.shown, end)
	return end
}

// hidden returns the partition's lost ranges.
func (r *replication) hidden(tp topicPart) []offsetRange {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return nil
	}
	return append([]offsetRange(nil), p.lost...)
}

// failover records that tp got a new leader whose log ended at the
// followers' position: everything after it, up to leo (the old leader's
// log end), is lost, but for the pending batches of idempotent producers
// that wait for acks=all. It returns the lost ranges (none when nothing
// was lost).
//
// Kafka loses those batches too, with the old leader's producer state,
// and the producer's retry appends them again: its application sees each
// once. kfake keeps the producer state, so it answers a retry as a
// duplicate at the batch's hidden offset, and the producer would retry
// until it gave up. Keeping the batch shows what Kafka's clients see.
func (r *replication) failover(tp topicPart, leo int64, now time.Time) []offsetRange {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return nil
	}
	from := p.capLocked(now)
	if r.shrunk {
		from = p.frozen
	}
	to := max(leo, p.leo)
	kept := p.pending
	if r.shrunk {
		// The leader alone acknowledged acks=all: what the followers
		// lack is lost, acknowledged or not, as in Kafka.
		kept = nil
	}
	lost := cutRanges(from, to, kept)
	p.pending = p.pending[:0]
	for _, l := range lost {
		p.lost = append(p.lost, l)
		if len(r.cuts) < maxCuts {
			r.cuts = append(r.cuts, TailCut{At: now, Topic: tp.topic, Partition: tp.part, From: l.from, To: l.to, Records: l.to - l.from, Shrunk: r.shrunk})
		}
	}
	if r.shrunk && from >= 0 && from < to {
		// The new leader is the only replica with the new log now;
		// the others follow it from here.
		p.frozen = to
	}
	return lost
}

// cutRanges is [from, to) without the kept batches among pending (by
// start offset): what a failover loses. None when from < 0 (nothing
// pending) or from >= to.
func cutRanges(from, to int64, pending []pendingBatch) []offsetRange {
	if from < 0 || from >= to {
		return nil
	}
	var lost []offsetRange
	at := from
	for _, b := range pending {
		if !b.kept || b.end <= at || b.start >= to {
			continue
		}
		if b.start > at {
			lost = append(lost, offsetRange{at, b.start})
		}
		at = b.end
	}
	if at < to {
		lost = append(lost, offsetRange{at, to})
	}
	return lost
}

// shrink takes every follower out of the ISR (true) or lets them back
// (false). Followers stop where they are: the high watermark follows the
// leader alone until they come back.
func (r *replication) shrink(on bool, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on == r.shrunk {
		return
	}
	if on {
		for _, p := range r.parts {
			p.frozen = p.capLocked(now)
			if p.frozen < 0 {
				p.frozen = p.leo
			}
			p.pending = p.pending[:0]
		}
	}
	r.shrunk = on
}

// tailCuts returns the tails failovers cut so far.
func (r *replication) tailCuts() []TailCut {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TailCut(nil), r.cuts...)
}

// partitions returns every partition the model tracks.
func (r *replication) partitions() []topicPart {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]topicPart, 0, len(r.parts))
	for tp := range r.parts {
		out = append(out, tp)
	}
	return out
}

// fetchWait is what a fetch from an offset of a partition waits for in the
// model: a record it may see now (ready), or the time the in-sync replicas
// will have the next one (at), or nothing the model knows of yet (neither).
type fetchWait struct {
	ready bool
	at    time.Time
}

// fetchWait says when a fetch from offset of tp can first see a record.
// It is ready when the model does not track the partition, or when the
// offset is below the end the model knows and below the high watermark;
// at an end with nothing pending, nothing is coming that the model knows
// of (what kfake appended since is pending from when the model learns it).
func (r *replication) fetchWait(tp topicPart, offset int64, now time.Time) fetchWait {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.parts[tp]
	if p == nil {
		return fetchWait{ready: true}
	}
	hw := p.capLocked(now)
	switch {
	case offset >= p.leo:
		return fetchWait{}
	case hw < 0 || offset < hw:
		return fetchWait{ready: true}
	}
	return fetchWait{at: p.replicatedByLocked(offset + 1)}
}
