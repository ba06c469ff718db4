package produce

import (
	"time"

	"github.com/IBM/sarama"
	"github.com/kq-dev/kq/internal/kqerr"
)

// engine is one delivery path: it takes records and, once closed, settles
// every one of them in the tally.
type engine interface {
	// add sends a copy of r to partition part (or stickyPartition). It may
	// block; after stop it returns errClosed.
	add(r *Record, part int32) error
	// stickyByBatch reports whether stickyPartition is understood.
	stickyByBatch() bool
	// stop makes add fail from now on.
	stop()
	// finish stops taking records, waits up to timeout for the answers of
	// those taken (failed is true when the input ended in error, which
	// aborts an open transaction) and reports the unanswered ones as in
	// doubt. Its error is that of ending the open transaction.
	finish(timeout time.Duration, failed bool) error
}

// batchEngine is the batch path: an accumulator and a sender.
type batchEngine struct {
	acc        *accumulator
	snd        *sender
	stopLinger chan struct{}
	collected  chan struct{}
	dispatched chan struct{}
}

// reopenAndProduce sends a request on a broker connection, opening it
// again first when it was closed: the sender closes a connection after an
// error (sender.handle), and the batches queued for that broker meanwhile
// would otherwise go to the closed connection and fail unsent, one
// attempt each.
func reopenAndProduce(conf *sarama.Config) func(*sarama.Broker, *sarama.ProduceRequest, sarama.ProduceCallback) error {
	return func(br *sarama.Broker, req *sarama.ProduceRequest, cb sarama.ProduceCallback) error {
		_ = br.Open(conf) // ErrAlreadyConnected when open; a failed dial shows in AsyncProduce
		return br.AsyncProduce(req, cb)
	}
}

func newBatchEngine(client sarama.Client, topic string, partitions int32, s Settings, t *tally) (*batchEngine, error) {
	version, err := produceVersion(client.Config().Version)
	if err != nil {
		return nil, err
	}
	ready := newQueue[*batch]()
	acc := newAccumulator(partitions, s, ready, t.sent)
	snd := &sender{
		client: client, topic: topic, acks: s.Acks.Sarama(), codec: s.Compression,
		version: version, timeout: s.DeliveryTimeout, produce: reopenAndProduce(client.Config()),
		ackTimeout: client.Config().Producer.Timeout, retries: s.Retries, backoff: s.RetryBackoff, maxInFlight: s.MaxInFlight,
		acc: acc, tally: t, ready: ready, done: newQueue[answer](), brokers: map[*sarama.Broker]*queue[*batch]{},
		quit: make(chan struct{}),
	}
	if s.Idempotent {
		id, epoch, err := initProducer(client)
		if err != nil {
			return nil, err
		}
		acc.seqs = newSequences(id, epoch, partitions)
		snd.gate = newWindow(s.MaxInFlight, snd.kickAll)
		snd.gate.quiet = snd.restart
		acc.gate = snd.gate
		snd.renumber = !s.FakedRefusals
	}
	e := &batchEngine{acc: acc, snd: snd, stopLinger: make(chan struct{}), collected: make(chan struct{}), dispatched: make(chan struct{})}
	go acc.lingerLoop(e.stopLinger)
	go func() { defer close(e.dispatched); snd.dispatch() }()
	go func() { defer close(e.collected); snd.collect() }()
	return e, nil
}

func (e *batchEngine) add(r *Record, part int32) error { return e.acc.add(r, part) }

func (e *batchEngine) stickyByBatch() bool { return true }

func (e *batchEngine) stop() { e.acc.close() }

// finish seals what is open and waits for every batch to be settled, up
// to timeout: then the batches left are reported in doubt, nothing more is
// sent, and finish returns without waiting longer for the goroutines
// (closing the client, by the caller, fails requests still in flight).
// The timeout bounds the whole of finish, so an interrupted run with a
// slow broker ends on time.
func (e *batchEngine) finish(timeout time.Duration, _ bool) error {
	deadline := time.Now().Add(timeout)
	defer close(e.snd.quit)
	e.acc.close()
	close(e.stopLinger)
	if !waitUntil(e.acc.idle, deadline) {
		e.snd.abandoned.Store(true)
		for _, b := range e.acc.abandon() {
			e.snd.reportFailed(b, abandonedErr(b))
		}
	}
	e.snd.ready.close()
	stopped := make(chan struct{})
	go func() {
		<-e.dispatched
		e.snd.done.close()
		<-e.collected
		close(stopped)
	}()
	waitUntil(stopped, deadline)
	return nil
}

// waitUntil waits for ch to be closed until deadline and reports whether
// it was.
func waitUntil(ch <-chan struct{}, deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// produceVersion picks the Produce request version for the configured
// Kafka version, as sarama's own producer does; sarama lowers it further
// to what each broker supports. Record batches need Kafka 0.11.
func produceVersion(v sarama.KafkaVersion) (int16, error) {
	table := []struct {
		kafka   sarama.KafkaVersion
		version int16
	}{
		{sarama.V3_7_0_0, 10}, {sarama.V2_8_0_0, 9}, {sarama.V2_4_0_0, 8}, {sarama.V2_1_0_0, 7},
		{sarama.V2_0_0_0, 6}, {sarama.V1_0_0_0, 5}, {sarama.V0_11_0_0, 3},
	}
	for _, row := range table {
		if v.IsAtLeast(row.kafka) {
			return row.version, nil
		}
	}
	return 0, kqerr.SettingErrorf("kq produce needs {kafka version} 0.11.0 or later, got %s", v)
}
