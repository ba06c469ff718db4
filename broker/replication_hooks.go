package broker

import (
	"strconv"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DefaultReplicaLag is the replica lag of `kq broker` and of kq verify's
// built-in broker.
const DefaultReplicaLag = 20 * time.Millisecond

// installReplication registers the model's control hooks on a freshly
// opened cluster: acks=all produce requests are refused with
// NOT_ENOUGH_REPLICAS while the ISR is smaller than min.insync.replicas,
// and requests that change topics make the model look them up again.
func (b *Broker) installReplication(c *kfake.Cluster) {
	r := b.repl
	if r == nil {
		return
	}
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		p := req.(*kmsg.ProduceRequest)
		if p.Acks != -1 {
			return nil, nil, false
		}
		for _, t := range p.Topics {
			if r.refuse(r.name(t.Topic, t.TopicID)) {
				resp, _ := errorResponse(req, kerr.NotEnoughReplicas.Code)
				return resp, nil, true
			}
		}
		return nil, nil, false
	})
	forget := func(topics ...string) {
		for _, t := range topics {
			r.forgetTopic(t)
		}
	}
	observe := func(key kmsg.Key, names func(kmsg.Request) []string) {
		c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			forget(names(req)...)
			return nil, nil, false
		})
	}
	observe(kmsg.CreateTopics, func(req kmsg.Request) (out []string) {
		for _, t := range req.(*kmsg.CreateTopicsRequest).Topics {
			out = append(out, t.Topic)
		}
		return out
	})
	observe(kmsg.DeleteTopics, func(req kmsg.Request) (out []string) {
		for _, t := range req.(*kmsg.DeleteTopicsRequest).Topics {
			if t.Topic != nil {
				out = append(out, *t.Topic)
			}
		}
		return append(out, req.(*kmsg.DeleteTopicsRequest).TopicNames...)
	})
	observe(kmsg.AlterConfigs, func(req kmsg.Request) (out []string) {
		for _, res := range req.(*kmsg.AlterConfigsRequest).Resources {
			out = append(out, res.ResourceName)
		}
		return out
	})
	observe(kmsg.IncrementalAlterConfigs, func(req kmsg.Request) (out []string) {
		for _, res := range req.(*kmsg.IncrementalAlterConfigsRequest).Resources {
			out = append(out, res.ResourceName)
		}
		return out
	})
}

// learnTopic looks up a topic's replication factor and
// min.insync.replicas when the model does not know them yet. It runs on a
// connection's goroutine, never inside a control hook (kfake's loop).
func (b *Broker) learnTopic(topic string) {
	if b.repl.knows(topic) {
		return
	}
	info := b.cluster().TopicInfo(topic)
	if info == nil {
		return // auto-created by this produce: learnt on the next one
	}
	conf := topicConf{replicas: info.NumReplicas, minISR: 1}
	if v := info.Configs["min.insync.replicas"]; v != nil {
		if n, err := strconv.Atoi(*v); err == nil {
			conf.minISR = n
		}
	}
	b.repl.setTopic(topic, conf)
}

// learnTopicID records the name of a topic id a request names, looking it
// up when the request has no name (Fetch and Produce from v13).
func (b *Broker) learnTopicID(name string, id [16]byte) {
	if id == ([16]byte{}) || b.repl.knowsID(id) {
		return
	}
	if name == "" {
		info := b.cluster().TopicIDInfo(id)
		if info == nil {
			return
		}
		name = info.Topic
	}
	b.repl.setID(id, name)
}

// leaders returns the current leader of every partition the model tracks.
func (b *Broker) leadersLocked() map[topicPart]int32 {
	if b.repl == nil {
		return nil
	}
	out := map[topicPart]int32{}
	for _, tp := range b.repl.partitions() {
		out[tp] = b.c.LeaderFor(tp.topic, tp.part)
	}
	return out
}

// failoversLocked applies the model's failover to every partition whose
// leader changed since before was taken.
func (b *Broker) failoversLocked(before map[topicPart]int32) {
	now := time.Now()
	for tp, old := range before {
		if b.c.LeaderFor(tp.topic, tp.part) == old {
			continue
		}
		var leo int64
		if info := b.c.PartitionInfo(tp.topic, tp.part); info != nil {
			leo = info.HighWatermark
		}
		b.repl.failover(tp, leo, now)
	}
}

// ShrinkISR takes every follower out of the in-sync replicas until the
// returned function is called (the isr-shrink fault): the high watermark
// then follows the leader alone, acks=all needs only the leader (unless
// min.insync.replicas refuses it) and a leader change loses everything the
// followers had not fetched when they fell out. It needs a replica lag.
func (b *Broker) ShrinkISR() (restore func(), err error) {
	if b.repl == nil {
		return nil, kqerr.SettingErrorf("broker: isr-shrink needs a replica lag (kq broker {replica lag})")
	}
	b.repl.shrink(true, time.Now())
	return func() { b.repl.shrink(false, time.Now()) }, nil
}

// TailCuts returns the unreplicated tails leader changes have cut so far
// (at most 100,000, oldest first); none without the replication model.
// A run that counts on a failover losing an acks=1 write can tell from it
// whether one had anything to lose.
func (b *Broker) TailCuts() []TailCut {
	if b.repl == nil {
		return nil
	}
	return b.repl.tailCuts()
}

// ReplicaLag returns the replica lag of the replication model (0: no
// model, one shared log).
func (b *Broker) ReplicaLag() time.Duration { return b.opts.ReplicaLag }
