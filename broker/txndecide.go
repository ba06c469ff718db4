package broker

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// Kafka's transaction coordinator writes its decision (PrepareCommit or
// PrepareAbort) to its transaction log before it writes any marker, and on
// recovery it completes a decided transaction in every partition: a crash
// in the middle of a commit's markers never tears the transaction. The
// pinned kfake writes a commit's markers partition by partition, then the
// transaction's consumer offsets, and logs nothing before; a kill -9 in
// between left some partitions committed and the others open, which the
// start-up pass then aborted, and the offsets of a committed transaction
// could be lost.
//
// txnDecisions is kq's transaction log: every EndTxn is written down (with
// the offsets the transaction staged by TxnOffsetCommit) before kfake
// handles it, and so is the start of each producer's next transaction (so
// a decision is known to be complete once its producer began another). At
// start-up, a producer whose last entry is a commit decision has its
// transaction committed, not aborted, wherever it is still open, and its
// offsets committed where the group has not moved past them
// (txnforward.go).

// decisionFile is kq's transaction log in the data dir.
const decisionFile = "kq_txn_decisions.log"

// decisionCompactBytes is the size past which the log is rewritten with
// only the entries recovery could need.
const decisionCompactBytes = 4 << 20

// decision is one entry of the log.
type decision struct {
	// Op is "begin", "commit" or "abort".
	Op      string         `json:"op"`
	PID     int64          `json:"pid"`
	Epoch   int16          `json:"epoch"`
	Offsets []stagedOffset `json:"offsets,omitempty"`
}

// stagedOffset is one consumer offset a transaction commits.
type stagedOffset struct {
	Group       string  `json:"group"`
	Topic       string  `json:"topic"`
	Partition   int32   `json:"partition"`
	Offset      int64   `json:"offset"`
	LeaderEpoch int32   `json:"leader_epoch"`
	Metadata    *string `json:"metadata,omitempty"`
}

// txnDecisions appends to the log; its methods run in kfake's request
// loop (control functions), one at a time, but take a lock anyway.
type txnDecisions struct {
	path string
	sync bool
	log  io.Writer // nil: discard

	mu      sync.Mutex
	f       *os.File
	size    int64
	begun   map[int64]bool
	staged  map[int64][]stagedOffset
	pending map[int64]decision // last commit decision of a producer not yet followed by a begin
	err     error              // the first write error; logging stops there
}

// newTxnDecisions starts an empty log in dataDir (start-up has resolved
// every decision of the previous one).
func newTxnDecisions(dataDir string, sync bool, log io.Writer) (*txnDecisions, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	d := &txnDecisions{path: filepath.Join(dataDir, decisionFile), sync: sync, log: log}
	if err := d.reopen(nil); err != nil {
		return nil, err
	}
	return d, nil
}

// reopen replaces the file with entries and resets the in-memory state.
func (d *txnDecisions) reopen(entries []decision) error {
	if d.f != nil {
		_ = d.f.Close()
	}
	var buf []byte
	for _, e := range entries {
		line, _ := json.Marshal(e)
		buf = append(append(buf, line...), '\n')
	}
	if err := writeFileAtomic(d.path, buf); err != nil {
		return err
	}
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	d.f, d.size = f, int64(len(buf))
	d.begun, d.staged, d.pending = map[int64]bool{}, map[int64][]stagedOffset{}, map[int64]decision{}
	for _, e := range entries {
		d.pending[e.PID] = e
	}
	return nil
}

// install registers the observers on a freshly opened cluster.
func (d *txnDecisions) install(c *kfake.Cluster) {
	observe := func(key kmsg.Key, fn func(kmsg.Request)) { observeKey(c, key, fn) }
	observe(kmsg.AddPartitionsToTxn, func(req kmsg.Request) {
		r := req.(*kmsg.AddPartitionsToTxnRequest)
		if r.TransactionalID != "" {
			d.begin(r.ProducerID, r.ProducerEpoch)
		}
		for _, t := range r.Transactions {
			if !t.VerifyOnly {
				d.begin(t.ProducerID, t.ProducerEpoch)
			}
		}
	})
	observe(kmsg.AddOffsetsToTxn, func(req kmsg.Request) {
		r := req.(*kmsg.AddOffsetsToTxnRequest)
		d.begin(r.ProducerID, r.ProducerEpoch)
	})
	observe(kmsg.Produce, func(req kmsg.Request) {
		if pid, epoch, ok := txnProducer(req.(*kmsg.ProduceRequest)); ok {
			d.begin(pid, epoch)
		}
	})
	observe(kmsg.TxnOffsetCommit, func(req kmsg.Request) { d.stage(req.(*kmsg.TxnOffsetCommitRequest)) })
	observe(kmsg.EndTxn, func(req kmsg.Request) {
		r := req.(*kmsg.EndTxnRequest)
		d.decide(r.ProducerID, r.ProducerEpoch, r.Commit)
	})
}

// txnProducer returns the producer of a transactional Produce request.
func txnProducer(r *kmsg.ProduceRequest) (int64, int16, bool) {
	if r.TransactionID == nil || *r.TransactionID == "" {
		return 0, 0, false
	}
	for _, t := range r.Topics {
		for _, p := range t.Partitions {
			if b := p.Records; len(b) >= wire.BatchHeaderLen && b[wire.BatchMagic] == 2 {
				return int64(binary.BigEndian.Uint64(b[wire.BatchProducerID:])), int16(binary.BigEndian.Uint16(b[wire.BatchProducerEpoch:])), true
			}
		}
	}
	return 0, 0, false
}

// begin notes the start of a producer's transaction, once per
// transaction.
func (d *txnDecisions) begin(pid int64, epoch int16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.begun[pid] {
		return
	}
	d.begun[pid] = true
	delete(d.pending, pid)
	d.appendLocked(decision{Op: "begin", PID: pid, Epoch: epoch})
}

// stage keeps the offsets a transaction will commit.
func (d *txnDecisions) stage(r *kmsg.TxnOffsetCommitRequest) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, t := range r.Topics {
		for _, p := range t.Partitions {
			d.staged[r.ProducerID] = append(d.staged[r.ProducerID], stagedOffset{
				Group: r.Group, Topic: t.Topic, Partition: p.Partition,
				Offset: p.Offset, LeaderEpoch: p.LeaderEpoch, Metadata: p.Metadata,
			})
		}
	}
}

// decide writes down an EndTxn before kfake handles it.
func (d *txnDecisions) decide(pid int64, epoch int16, commit bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := decision{Op: "abort", PID: pid, Epoch: epoch}
	if commit {
		e.Op, e.Offsets = "commit", d.staged[pid]
		d.pending[pid] = e
	} else {
		delete(d.pending, pid)
	}
	delete(d.staged, pid)
	d.begun[pid] = false
	d.appendLocked(e)
}

func (d *txnDecisions) appendLocked(e decision) {
	if d.err != nil {
		return
	}
	line, err := json.Marshal(e)
	if err == nil {
		_, err = d.f.Write(append(line, '\n'))
	}
	if err == nil && d.sync {
		err = d.f.Sync()
	}
	if err != nil {
		d.fail(err)
		return
	}
	d.size += int64(len(line) + 1)
	if d.size >= decisionCompactBytes {
		d.compactLocked()
	}
}

// compactLocked rewrites the log with the pending commit decisions only:
// everything else is resolved (a begin after a decision means kfake
// finished it).
func (d *txnDecisions) compactLocked() {
	keep := make([]decision, 0, len(d.pending))
	for _, e := range d.pending {
		keep = append(keep, e)
	}
	begun, staged := d.begun, d.staged
	if err := d.reopen(keep); err != nil {
		d.fail(err)
	}
	d.begun, d.staged = begun, staged
}

// fail stops the log at its first error and says so: a crash in the
// middle of a commit can then tear it again.
func (d *txnDecisions) fail(err error) {
	d.err = err
	if d.log != nil {
		fmt.Fprintf(d.log, "kq broker: transaction decision log %s: %v (a crash during a commit may now leave it partly applied)\n", d.path, err)
	}
}

// close closes the file.
func (d *txnDecisions) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		_ = d.f.Close()
		d.f = nil
	}
	if d.err == nil {
		d.err = errors.New("closed")
	}
}

// readDecisions returns the last entry of each producer in the log in
// dataDir (none when there is no log). A torn last line is skipped.
func readDecisions(dataDir string) (map[int64]decision, error) {
	raw, err := os.ReadFile(filepath.Join(dataDir, decisionFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	last := map[int64]decision{}
	for len(raw) > 0 {
		line := raw
		i := 0
		for i < len(raw) && raw[i] != '\n' {
			i++
		}
		line, raw = raw[:i], raw[min(i+1, len(raw)):]
		var e decision
		if json.Unmarshal(line, &e) == nil {
			last[e.PID] = e
		}
	}
	return last, nil
}
