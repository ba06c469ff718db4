package verify

import "github.com/kq-dev/kq/verify/history"

// ackedOffsets is a history sink that remembers the offsets of the input
// at which sends were acknowledged, a bit per offset, so that the run can
// tell a tail the broker cut that held an acknowledged write from one
// that held none (whose answers had not gone out): only the first shows
// the risk of a failover (check.TailRisk). The Recorder feeds it under its
// lock.
type ackedOffsets struct {
	topic string
	parts map[int32][]uint64 // by partition, bit i set: offset i acknowledged
}

func newAckedOffsets(topic string) *ackedOffsets {
	return &ackedOffsets{topic: topic, parts: map[int32][]uint64{}}
}

// Feed remembers the offset of an acknowledged send of the input.
func (a *ackedOffsets) Feed(e *history.Event) error {
	if e.Type != history.TypeSend || e.Status != history.StatusOK || e.Offset < 0 || e.Topic != a.topic {
		return nil
	}
	words := a.parts[e.Partition]
	w := int(e.Offset / 64)
	if w >= len(words) {
		words = append(words, make([]uint64, w+1-len(words)+len(words)/2)...)
		a.parts[e.Partition] = words
	}
	words[w] |= 1 << (e.Offset % 64)
	return nil
}

// anyIn reports whether a send was acknowledged at an offset of
// partition from from through to-1.
func (a *ackedOffsets) anyIn(partition int32, from, to int64) bool {
	words := a.parts[partition]
	from, to = max(from, 0), min(to, int64(len(words))*64)
	for off := from; off < to; {
		w, bit := off/64, off%64
		mask := ^uint64(0) << bit
		if left := to - off; left < 64-bit {
			mask &= (1 << (bit + left)) - 1
		}
		if words[w]&mask != 0 {
			return true
		}
		off += 64 - bit
	}
	return false
}
