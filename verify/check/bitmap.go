package check

import "math/bits"

// bitmap is a fixed-size set of small integers, one bit each.
type bitmap []uint64

// newBitmap returns a bitmap that holds 0 through n-1.
func newBitmap(n int) bitmap { return make(bitmap, (n+63)/64) }

func (b bitmap) set(i uint32)      { b[i/64] |= 1 << (i % 64) }
func (b bitmap) clear(i uint32)    { b[i/64] &^= 1 << (i % 64) }
func (b bitmap) has(i uint32) bool { return b[i/64]&(1<<(i%64)) != 0 }

// word returns the 64 bits holding i through i+63 for an i that is a
// multiple of 64.
func (b bitmap) word(i uint32) uint64 { return b[i/64] }

// forEach calls fn with the index of every bit set in w, the word whose
// first bit is base, in ascending order, until fn returns false.
func forEach(w uint64, base uint32, fn func(uint32) bool) bool {
	for w != 0 {
		i := uint32(bits.TrailingZeros64(w))
		if !fn(base + i) {
			return false
		}
		w &= w - 1
	}
	return true
}
