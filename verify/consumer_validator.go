package verify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"
)

// endMarker is the value of the record that closes each output partition
// for the validator. It is not a kq value and is never recorded.
const endMarker = "kq-verify-end"

// validatorName names the validator in the history.
const validatorName = "validator"

// validate reads the whole output topic once the copiers are done, at the
// settings' isolation level, and records its deliveries: in the copy
// pipeline these are the deliveries judged. Each partition is read up to
// an end marker written after the copiers stopped (not transactional, so
// read_committed shows it once every transaction before it has ended), so
// the validator knows it has seen everything without trusting a
// watermark. It returns the number of records read.
func (r *run) validate(ctx context.Context) (uint64, error) {
	r.logf("validate: reading %s (%s)", r.ids.output, r.set.Isolation)
	ends, err := r.writeEndMarkers()
	if err != nil {
		return 0, err
	}
	f := r.ctrl
	f.Dialer = nil
	client, err := f.Client(r.baseConfig(nil))
	if err != nil {
		return 0, err
	}
	defer client.Close()
	var n atomic.Uint64
	r.record(history.Event{Type: history.TypeAssign, Consumer: validatorName, Topic: r.ids.output, Partitions: partitions(len(ends))})
	errs := make([]error, len(ends))
	var wg sync.WaitGroup
	for p, end := range ends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[p] = r.readPartition(ctx, client, int32(p), end, &n)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return n.Load(), err
	}
	return n.Load(), ctx.Err()
}

// writeEndMarkers writes one end marker to each output partition and
// returns their offsets.
func (r *run) writeEndMarkers() ([]int64, error) {
	f := r.ctrl
	f.Dialer = nil
	p, err := f.SyncProducer(func(c *sarama.Config) {
		r.baseConfig(nil)(c)
		c.Producer.RequiredAcks = sarama.WaitForAll
		c.Producer.Retry.Max = 10
		c.Producer.Partitioner = sarama.NewManualPartitioner
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	ends := make([]int64, r.set.Workload.Partitions)
	for i := range ends {
		_, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: r.ids.output, Partition: int32(i), Value: sarama.StringEncoder(endMarker)})
		if err != nil {
			return nil, fmt.Errorf("write end marker to %s/%d: %w", r.ids.output, i, err)
		}
		ends[i] = off
	}
	return ends, nil
}

// readPartition records every record of a partition before the end marker
// at offset end.
func (r *run) readPartition(ctx context.Context, client sarama.Client, p int32, end int64, n *atomic.Uint64) error {
	lr, err := newLogReader(client, r.ids.output, p, r.set.Isolation.Sarama())
	if err != nil {
		return fmt.Errorf("validator: %w", err)
	}
	defer lr.close()
	r.record(history.Event{Type: history.TypeSeek, Consumer: validatorName, Topic: r.ids.output, Partition: p, Offset: lr.offset})
	deadline := time.Now().Add(r.drainTimeout)
	for lr.offset <= end {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("validator: %s/%d did not reach its end marker at offset %d within %v (read up to %d)",
				r.ids.output, p, end, r.drainTimeout, lr.offset)
		}
		recs, err := lr.next()
		if err != nil {
			r.logf("validator: %v", err)
			sleepCtx(ctx, retryBackoff)
			continue
		}
		if r.recordRead(p, recs, end, n) {
			return nil
		}
	}
	return nil
}

// recordRead records the deliveries of the records read from partition p
// before the end marker at offset end, recordChunk at a time (one hold of
// the recorder's lock and one clock read each), and reports whether it
// met the end marker.
func (r *run) recordRead(p int32, recs []logRecord, end int64, n *atomic.Uint64) bool {
	es := make([]history.Event, 0, min(len(recs), recordChunk))
	var dec seqmsg.Decoder
	flush := func() {
		if len(es) == 0 {
			return
		}
		r.recordAll(es)
		r.stats.delivered.Add(uint64(len(es)))
		n.Add(uint64(len(es)))
		es = es[:0]
	}
	defer flush()
	for _, rec := range recs {
		if rec.offset >= end {
			return true
		}
		es = history.AppendDelivery(es, &dec, validatorName, r.ids.output, p, rec.offset, rec.value)
		if len(es) == recordChunk {
			flush()
		}
	}
	return false
}
