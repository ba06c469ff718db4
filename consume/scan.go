package consume

import (
	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/fetch"
	"github.com/kq-dev/kq/internal/setting"
)

// scanBlock looks through one fetched partition block for a record a
// consumer with isolation iso would deliver at an offset in [from, to). It
// returns visible when it finds one; otherwise scanned is the offset up to
// which the block proved there is none (from when it proved nothing, at
// most to).
//
// Control batches are never delivered; under read_committed neither are
// transactional batches of a producer inside one of the block's aborted
// transactions (from its first offset up to its abort marker): the walk is
// package internal/fetch's, the one the partition readers use.
func scanBlock(blk *sarama.FetchResponseBlock, from, to int64, iso setting.Isolation) (visible bool, scanned int64) {
	next, _, err := fetch.Walk(blk, from, iso.Sarama(), func(r *fetch.Record) {
		if r.Offset < to {
			visible = true
		}
	})
	switch {
	case visible:
		return true, from
	case err != nil:
		return false, from // a batch it cannot read: prove nothing
	}
	return false, min(max(next, from), to)
}
