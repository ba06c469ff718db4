package check

import (
	"fmt"

	"github.com/kq-dev/kq/internal/seqmsg"
)

// Values are numbered by ordinals: compact 29-bit names that fit in a log
// slot. A producer's sequence numbers are cut into blocks of blockSize;
// each block gets a block id the first time one of its values is seen, and a
// value's ordinal is its block id times blockSize plus its place in the
// block. Block 0 is reserved for the ordinals below firstValueOrd.
const (
	blockBits  = 6
	blockSize  = 1 << blockBits
	blockWords = blockSize / 64
	ordBits    = 29
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
	lag      *lagSlots // times of the sampled values, once one is timed
}

// denseBlocks bounds the block ids a producer keeps in a slice indexed by
// seq >> blockBits (4 bytes each); blocks further out go in a map, so a
// stray huge sequence number costs one map entry, not a huge slice.
const denseBlocks = 1 << 20

// producerBlocks finds the block ids of one producer.
type producerBlocks struct {
	idx    uint32            // dense index of the producer
	dense  []uint32          // block id by seq >> blockBits; 0 means none yet
	sparse map[uint64]uint32 // block id by seq >> blockBits, beyond dense
}

// smallProducers is how many producer ids a slice indexes directly.
const smallProducers = 1 << 10

// valueIndex maps values to ordinals and keeps their bits.
type valueIndex struct {
	blocks    []*seqBlock // by block id; blocks[0] is nil
	small     []*producerBlocks
	producers map[uint32]*producerBlocks
}

func newValueIndex() valueIndex {
	return valueIndex{blocks: []*seqBlock{nil}, small: make([]*producerBlocks, smallProducers), producers: map[uint32]*producerBlocks{}}
}

// ordinal returns the ordinal of producer/seq, giving its block an id if it
// has none. It fails when the history names more blocks than ordinals hold.
func (x *valueIndex) ordinal(producer uint32, seq uint64) (uint32, error) {
	pb := x.producer(producer)
	hi := seq >> blockBits
	id := pb.lookup(hi)
	if id == 0 {
		if len(x.blocks) >= maxBlocks {
			return 0, fmt.Errorf("too many values for one check: over %d blocks of %d consecutive sequence numbers of a producer (about %d values when each producer counts up from 0)", maxBlocks, blockSize, maxBlocks*blockSize)
		}
		id = uint32(len(x.blocks))
		pb.store(hi, id)
		x.blocks = append(x.blocks, &seqBlock{producer: producer, pidx: pb.idx, base: hi << blockBits})
	}
	return id<<blockBits | uint32(seq&(blockSize-1)), nil
}

// producer returns the blocks of producer p, creating them if needed.
func (x *valueIndex) producer(p uint32) *producerBlocks {
	if p < smallProducers && x.small[p] != nil {
		return x.small[p]
	}
	pb, ok := x.producers[p]
	if !ok {
		pb = &producerBlocks{idx: uint32(len(x.producers))}
		x.producers[p] = pb
		if p < smallProducers {
			x.small[p] = pb
		}
	}
	return pb
}

func (pb *producerBlocks) lookup(hi uint64) uint32 {
	if hi < uint64(len(pb.dense)) {
		return pb.dense[hi]
	}
	return pb.sparse[hi]
}

func (pb *producerBlocks) store(hi uint64, id uint32) {
	if hi >= denseBlocks {
		if pb.sparse == nil {
			pb.sparse = map[uint64]uint32{}
		}
		pb.sparse[hi] = id
		return
	}
	for uint64(len(pb.dense)) <= hi {
		pb.dense = append(pb.dense, 0)
	}
	pb.dense[hi] = id
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
