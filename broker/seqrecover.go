package broker

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/kq-dev/kq/internal/wire"
)

// Kafka rebuilds each idempotent producer's state (epoch, the sequence
// numbers of its last five batches) from the log when it recovers from a
// crash, so a batch a producer retries after the crash is recognised as a
// duplicate. The pinned kfake saves that state (seq_windows.json) only on a
// clean shutdown; after kill -9 it loads a stale copy or none, and accepts
// the retried batch a second time. The recovery pass rebuilds the windows
// from the batches it reads anyway and writes them into the file kfake
// loads, after the recovery cluster has closed.

// seqFile is kfake's file of idempotent producer windows in the data dir.
const seqFile = "seq_windows.json"

// seqEntry is one remembered batch: its first sequence, the sequence after
// it, and its base offset.
type seqEntry struct {
	FirstSeq int32 `json:"first_seq"`
	NextSeq  int32 `json:"next_seq"`
	Offset   int64 `json:"offset"`
}

// seqWindow mirrors kfake's persisted window of one producer in one
// partition (format version 2: independent entries in a ring of five).
type seqWindow struct {
	PID     int64       `json:"pid"`
	Topic   string      `json:"topic"`
	Part    int32       `json:"partition"`
	Entries [5]seqEntry `json:"entries"`
	Count   uint8       `json:"count"`
	At      uint8       `json:"at"`
	Epoch   int16       `json:"epoch"`
	Seen    bool        `json:"seen"`
	NextSeq int32       `json:"next_seq"`
}

// push records an accepted batch, as kfake's pushAndValidate does.
func (w *seqWindow) push(epoch int16, firstSeq, numRecs int32, offset int64) {
	next := int32((int64(firstSeq) + int64(numRecs)) % math.MaxInt32)
	if !w.Seen || epoch != w.Epoch {
		w.Seen, w.Epoch, w.NextSeq = true, epoch, next
		w.Entries = [5]seqEntry{{firstSeq, next, offset}}
		w.At, w.Count = 1, 1
		return
	}
	w.NextSeq = next
	w.Entries[w.At] = seqEntry{firstSeq, next, offset}
	w.At = (w.At + 1) % 5
	w.Count = min(w.Count+1, 5)
}

// seqWindows collects the windows of one partition while it is scanned.
type seqWindows map[int64]*seqWindow

// add follows one raw data batch of topic/part.
func (s seqWindows) add(topic string, part int32, batch []byte) {
	pid := int64(binary.BigEndian.Uint64(batch[wire.BatchProducerID:]))
	seq := int32(binary.BigEndian.Uint32(batch[wire.BatchBaseSequence:]))
	if pid < 0 || seq < 0 {
		return // not idempotent
	}
	w := s[pid]
	if w == nil {
		w = &seqWindow{PID: pid, Topic: topic, Part: part}
		s[pid] = w
	}
	base := int64(binary.BigEndian.Uint64(batch[0:8]))
	epoch := int16(binary.BigEndian.Uint16(batch[wire.BatchProducerEpoch:]))
	w.push(epoch, seq, int32(binary.BigEndian.Uint32(batch[wire.BatchRecordCount:])), base)
}

// writeSeqWindows replaces, in dataDir's window file, the windows of every
// producer and partition in ws: the log is newer than anything the file
// held.
func writeSeqWindows(dataDir string, ws []*seqWindow) error {
	if len(ws) == 0 {
		return nil
	}
	path := filepath.Join(dataDir, seqFile)
	var file struct {
		Version int               `json:"version"`
		Windows []json.RawMessage `json:"windows"`
	}
	file.Version = 1
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &file); err != nil {
			return fmt.Errorf("%s: %w", seqFile, err)
		}
	}
	type key struct {
		pid   int64
		topic string
		part  int32
	}
	rebuilt := map[key]bool{}
	for _, w := range ws {
		rebuilt[key{w.PID, w.Topic, w.Part}] = true
	}
	kept := file.Windows[:0]
	for _, r := range file.Windows {
		var k seqWindow
		if json.Unmarshal(r, &k) == nil && rebuilt[key{k.PID, k.Topic, k.Part}] {
			continue
		}
		kept = append(kept, r)
	}
	for _, w := range ws {
		enc, err := json.Marshal(w)
		if err != nil {
			return err
		}
		kept = append(kept, enc)
	}
	file.Windows = kept
	out, err := json.Marshal(file)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
