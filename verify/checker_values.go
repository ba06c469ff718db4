package verify

import (
	"fmt"

	"github.com/kq-dev/kq/internal/seqmsg"
)

// Values are numbered by ordinals: compact 30-bit names that fit in a log
// slot. A producer's sequence numbers are cut into blocks of blockSize;
// each block gets a block id the first time one of its values is seen, and a
// value's ordinal is its block id times blockSize plus its place in the
// block. Block 0 is reserved for the ordinals below firstValueOrd.
const (
	blockBits  = 12
	blockSize  = 1 << blockBits
	blockWords = blockSize / 64
	ordBits    = 30
	ordMask    = 1<<ordBits - 1
	maxBlocks  = 1 << (ordBits - blockBits)

	ordEmpty      = 0 // a log slot that holds nothing
	ordCorrupt    = 1 // a log slot that delivered a corrupt value
	ordUnknown    = 2 // a log slot that delivered a value kq did not write
	firstValueOrd = blockSize
)

// valueKind names one per-value bit.
type valueKind int

const (
	kindAcked     valueKind = iota // some send of the value was acknowledged
	kindFailed                     // some send of the value definitely failed
	kindInfo                       // some send of the value was indeterminate
	kindDelivered                  // the value was delivered at least once
	numKinds
)

// seqBlock holds the bits of blockSize consecutive values of one producer.
type seqBlock struct {
	producer uint32
	pidx     uint32 // dense index of producer, for per-producer scratch slices
	base     uint64 // first sequence number of the block
	bits     [numKinds][blockWords]uint64
}

type blockKey struct {
	producer uint32
	hi       uint64 // seq >> blockBits
}

// valueIndex maps values to ordinals and keeps their bits.
type valueIndex struct {
	ids       map[blockKey]uint32
	blocks    []*seqBlock // by block id; blocks[0] is nil
	producers map[uint32]uint32
}

func newValueIndex() valueIndex {
	return valueIndex{ids: map[blockKey]uint32{}, blocks: []*seqBlock{nil}, producers: map[uint32]uint32{}}
}

// ordinal returns the ordinal of producer/seq, giving its block an id if it
// has none. It fails when the history names more blocks than ordinals hold.
func (x *valueIndex) ordinal(producer uint32, seq uint64) (uint32, error) {
	k := blockKey{producer, seq >> blockBits}
	id, ok := x.ids[k]
	if !ok {
		if len(x.blocks) >= maxBlocks {
			return 0, fmt.Errorf("too many distinct sequence ranges (over %d values): sequence numbers must count up from 0", maxBlocks*blockSize)
		}
		id = uint32(len(x.blocks))
		x.ids[k] = id
		x.blocks = append(x.blocks, &seqBlock{producer: producer, pidx: x.producerIndex(producer), base: k.hi << blockBits})
	}
	return id<<blockBits | uint32(seq&(blockSize-1)), nil
}

func (x *valueIndex) producerIndex(p uint32) uint32 {
	i, ok := x.producers[p]
	if !ok {
		i = uint32(len(x.producers))
		x.producers[p] = i
	}
	return i
}

// set sets bit k of the value ord.
func (x *valueIndex) set(ord uint32, k valueKind) {
	b := x.blocks[ord>>blockBits]
	i := ord & (blockSize - 1)
	b.bits[k][i/64] |= 1 << (i % 64)
}

// block returns the block of ord and the place of ord in it.
func (x *valueIndex) block(ord uint32) (*seqBlock, uint32) {
	return x.blocks[ord>>blockBits], ord & (blockSize - 1)
}

// value returns the value named by ord.
func (x *valueIndex) value(ord uint32) seqmsg.Value {
	b, i := x.block(ord)
	return seqmsg.Value{Producer: b.producer, Seq: b.base + uint64(i)}
}

// ordinals is one past the largest ordinal given out.
func (x *valueIndex) ordinals() int { return len(x.blocks) * blockSize }
