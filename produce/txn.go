package produce

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// errInputStopped is the cause of the abort of a transaction left open when
// the input ended in error or was interrupted.
var errInputStopped = errors.New("input stopped before the transaction was complete")

// txnRunner groups the records of a transactional producer into
// transactions of size records (0: one for all) and holds their outcomes
// until the transaction ends: a commit reports the acks, an abort reports
// every record as failed. Any failed record aborts its transaction.
type txnRunner struct {
	p       sarama.AsyncProducer
	size    int
	tally   *tally
	timeout time.Duration

	open bool // guarded by the engine's send lock, like every method

	mu      sync.Mutex
	settled *sync.Cond
	sent    int
	done    int
	acks    []txnAck
	fails   []Failure
	err     error // the first failure of the open transaction
}

type txnAck struct {
	ack     Ack
	bytes   int
	latency time.Duration
}

func newTxnRunner(p sarama.AsyncProducer, size int, t *tally, timeout time.Duration) *txnRunner {
	r := &txnRunner{p: p, size: size, tally: t, timeout: timeout}
	r.settled = sync.NewCond(&r.mu)
	return r
}

// beforeSend aborts the transaction if a record of it failed, and begins
// one if none is open.
func (r *txnRunner) beforeSend() error {
	if err := r.failure(); err != nil {
		return r.abort(err)
	}
	if !r.open {
		if err := r.p.BeginTxn(); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		r.open = true
	}
	r.mu.Lock()
	r.sent++
	r.mu.Unlock()
	return nil
}

// afterSend commits the transaction once it holds size records.
func (r *txnRunner) afterSend() error {
	r.mu.Lock()
	full := r.size > 0 && r.sent >= r.size
	r.mu.Unlock()
	if full {
		return r.commit()
	}
	return nil
}

func (r *txnRunner) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// acked holds an ack until its transaction ends.
func (r *txnRunner) acked(a Ack, bytes int, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, txnAck{a, bytes, latency})
	r.done++
	r.settled.Broadcast()
}

// failed holds a failure until its transaction ends.
func (r *txnRunner) failed(f Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails = append(r.fails, f)
	if r.err == nil {
		r.err = fmt.Errorf("%v: %w", f.Pos, f.Err)
	}
	r.done++
	r.settled.Broadcast()
}

// end commits the open transaction, or aborts it when the input failed.
func (r *txnRunner) end(inputFailed bool) error {
	if !r.open {
		return nil
	}
	if inputFailed {
		return r.abort(errInputStopped)
	}
	return r.commit()
}

// commit commits the open transaction and reports its acks; if the commit
// fails the transaction is aborted.
func (r *txnRunner) commit() error {
	err := r.p.CommitTxn()
	r.wait()
	if err == nil {
		err = r.failure()
	}
	if err != nil {
		return r.abort(fmt.Errorf("commit transaction: %w", err))
	}
	r.mu.Lock()
	acks := r.reset()
	r.mu.Unlock()
	r.tally.with(func() {
		for _, a := range acks {
			r.tally.ackLocked(a.ack, a.bytes, a.latency)
		}
		r.tally.res.Committed++
	})
	return nil
}

// abort aborts the open transaction and reports its records as failed.
func (r *txnRunner) abort(cause error) error {
	abortErr := r.p.AbortTxn()
	r.wait()
	r.mu.Lock()
	fails := r.fails
	acks := r.reset()
	r.mu.Unlock()
	aborted := fmt.Errorf("transaction aborted: %w", cause)
	r.tally.with(func() {
		for _, f := range fails {
			r.tally.failLocked(f)
		}
		for _, a := range acks {
			r.tally.failLocked(Failure{Pos: a.ack.Pos, Partition: a.ack.Partition, Err: aborted})
		}
		if abortErr == nil {
			r.tally.res.Aborted++
		}
	})
	if abortErr != nil {
		return fmt.Errorf("%w: %w (and the abort failed: %v)", ErrNotDelivered, aborted, abortErr)
	}
	return fmt.Errorf("%w: %w", ErrNotDelivered, aborted)
}

// wait waits, up to the timeout, until every record sent in the open
// transaction is answered. sarama has returned them all once a commit or
// abort returns; this waits for the collector to have handled them.
func (r *txnRunner) wait() {
	deadline := time.AfterFunc(r.timeout, func() {
		r.mu.Lock()
		r.done = max(r.done, r.sent)
		r.settled.Broadcast()
		r.mu.Unlock()
	})
	defer deadline.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.done < r.sent {
		r.settled.Wait()
	}
}

// reset ends the open transaction's bookkeeping and returns its acks. It
// needs mu held.
func (r *txnRunner) reset() []txnAck {
	acks := r.acks
	r.acks, r.fails, r.err = nil, nil, nil
	r.sent, r.done = 0, 0
	r.open = false
	return acks
}
