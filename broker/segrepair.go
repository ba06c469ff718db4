package broker

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kq-dev/kq/internal/wire"
)

// The pinned kfake keeps each partition as segment files (N.dat: record
// batches as on the wire) and, beside each, an index file (N.idx: one
// 15-byte entry per batch, in the same order) whose entry says whether the
// batch belongs to a transaction. It appends a batch to the segment and
// then its entry to the index, two writes; a kill -9 between them leaves a
// batch without an entry. kfake's load keeps the batch but not the gap:
// every entry appended later lands one place too early, so from then on
// the entries describe the wrong batches. At the next full replay a
// transactional batch can then read as non-transactional, and the abort
// index that read_committed readers rely on loses the transactions open at
// that crash, and every transaction aborted earlier in that segment: their
// records become visible.
//
// repairIndexes puts back, before kfake loads the data dir, the entry of
// every batch that has none or the wrong one, as kfake would have written
// it. Kafka does the same on recovery: it rebuilds the index of an
// unflushed segment from the batches.

// kfake's index entry layout (persist.go of the pinned version).
const (
	idxEntryLen     = 15
	idxVersion      = 1
	idxEpochAt      = 2
	idxMaxEarlierAt = 6
	idxFlagsAt      = 14
)

// repairIndexes checks every segment's index in dataDir and rewrites the
// ones that do not match their segment. It returns how many it rewrote.
func repairIndexes(dataDir string) (int, error) {
	dirs, err := filepath.Glob(filepath.Join(dataDir, "partitions", "*"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, dir := range dirs {
		k, err := repairPartition(dir)
		n += k
		if err != nil {
			return n, fmt.Errorf("broker: repair the index of %s: %w", dir, err)
		}
	}
	return n, nil
}

// repairPartition repairs the segments of one partition in offset order:
// an entry's maximum earlier timestamp runs across segments.
func repairPartition(dir string) (int, error) {
	bases, err := segmentBases(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	var maxTS int64
	for _, base := range bases {
		seg := filepath.Join(dir, strconv.FormatInt(base, 10)+".dat")
		raw, err := os.ReadFile(seg)
		if err != nil {
			return n, err
		}
		var want []byte
		want, maxTS = indexFor(raw, maxTS)
		idx := strings.TrimSuffix(seg, ".dat") + ".idx"
		have, err := os.ReadFile(idx)
		if err != nil && !os.IsNotExist(err) {
			return n, err
		}
		if indexAgrees(have, want) {
			continue
		}
		if err := writeFileAtomic(idx, want); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// segmentBases lists the base offsets of a partition's segment files.
func segmentBases(dir string) ([]int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []int64
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".dat"); ok {
			if base, err := strconv.ParseInt(name, 10, 64); err == nil {
				bases = append(bases, base)
			}
		}
	}
	slices.Sort(bases)
	return bases, nil
}

// indexFor computes the index entries of the whole batches at the start of
// a segment, stopping where kfake's load stops (a partial batch or a bad
// CRC, which it truncates), and returns the running maximum timestamp.
func indexFor(raw []byte, maxTS int64) ([]byte, int64) {
	var out []byte
	for {
		batch, rest, ok := wire.NextBatch(raw)
		if !ok {
			break
		}
		raw = rest
		if binary.BigEndian.Uint32(batch[wire.BatchCRC:]) != wire.BatchChecksum(batch) {
			break
		}
		maxTS = max(maxTS, int64(binary.BigEndian.Uint64(batch[wire.BatchFirstTime:])))
		attrs := binary.BigEndian.Uint16(batch[wire.BatchAttributes:])
		inTx := attrs&wire.AttrTransactional != 0 && attrs&wire.AttrControl == 0
		out = append(out, indexEntry(int32(binary.BigEndian.Uint32(batch[wire.BatchLeaderEpoch:])), maxTS, inTx)...)
	}
	return out, maxTS
}

// indexEntry encodes one entry as kfake's encodeIndexEntry does.
func indexEntry(epoch int32, maxEarlierTS int64, inTx bool) []byte {
	e := make([]byte, idxEntryLen)
	e[0] = idxVersion
	binary.LittleEndian.PutUint32(e[idxEpochAt:], uint32(epoch))
	binary.LittleEndian.PutUint64(e[idxMaxEarlierAt:], uint64(maxEarlierTS))
	if inTx {
		e[idxFlagsAt] = 1
	}
	e[1] = byte(wire.CRC32C(e[idxEpochAt:]))
	return e
}

// indexAgrees reports whether an index file says what the segment says:
// as many entries, each valid, with the batch's leader epoch and
// transaction flag. The timestamps kfake wrote are kept as they are.
func indexAgrees(have, want []byte) bool {
	if len(have) != len(want) {
		return false
	}
	for i := 0; i < len(want); i += idxEntryLen {
		h, w := have[i:i+idxEntryLen], want[i:i+idxEntryLen]
		if h[1] != byte(wire.CRC32C(h[idxEpochAt:])) ||
			!bytes.Equal(h[idxEpochAt:idxMaxEarlierAt], w[idxEpochAt:idxMaxEarlierAt]) ||
			h[idxFlagsAt]&1 != w[idxFlagsAt] {
			return false
		}
	}
	return true
}

// writeFileAtomic replaces path with data through a temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".repair"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
