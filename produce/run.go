package produce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"golang.org/x/time/rate"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultFlushTimeout bounds the wait for outstanding answers at the end.
const DefaultFlushTimeout = 10 * time.Second

// Options configure [Run].
type Options struct {
	// Topic is the topic to write to.
	Topic string
	// Create creates the topic when it does not exist, with
	// CreatePartitions and CreateReplication (0: the broker's defaults);
	// otherwise a missing topic is an error matching offsets.ErrTopicNotFound.
	Create bool
	// CreatePartitions is the partition count of a topic Create makes.
	CreatePartitions int32
	// CreateReplication is the replication factor of a topic Create makes.
	CreateReplication int16
	// Settings are the delivery settings.
	Settings Settings
	// SkipBad skips bad input records (reporting them) instead of stopping
	// at the first.
	SkipBad bool
	// Rate limits records per second; 0 means no limit.
	Rate float64
	// FlushTimeout bounds the wait for answers once the input ended or was
	// interrupted; 0 means [DefaultFlushTimeout]. Records still unanswered
	// then are reported in doubt.
	FlushTimeout time.Duration
}

// Validate checks the options.
func (o Options) Validate() error {
	if strings.TrimSpace(o.Topic) == "" {
		return kqerr.Usagef("no topic given")
	}
	if o.Rate < 0 {
		return kqerr.Settingf("{rate} must not be negative, got %v", o.Rate)
	}
	return o.Settings.Validate()
}

// Run produces every record of src to o.Topic and waits for the answers.
//
// It stops reading at the end of src, at the first bad record (unless
// o.SkipBad), at a failed transaction, or when ctx is cancelled; in every
// case it then flushes what was read, waits up to o.FlushTimeout for the
// answers and reports each record's outcome to rep (which may be nil).
// The Result is valid whenever the topic was found, error or not. The
// error wraps kqerr.ErrInterrupted after a cancellation, is an
// [*InputError] for a bad record, and wraps [ErrNotDelivered] when records
// failed or are in doubt.
//
// A source blocked in a read when ctx is cancelled is abandoned: Run
// returns without waiting for that read.
func Run(ctx context.Context, f conn.Factory, o Options, src Source, rep Reporter) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = DefaultFlushTimeout
	}
	client, err := f.Client(o.Settings.Apply)
	if err != nil {
		return Result{}, err
	}
	closeBy := time.Now().Add(time.Hour) // until the flush starts
	defer func() { closeWithin(client, closeBy) }()
	n, err := topicPartitions(client, o.Topic, o)
	if err != nil {
		return Result{}, f.Classify(err)
	}
	t := newTally(rep)
	eng, err := newEngine(f, client, o, n, t)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	fd := &feeder{src: src, eng: eng, tally: t, rep: rep, skipBad: o.SkipBad, maxBytes: o.Settings.MaxMessageBytes,
		ch: newChooser(o.Settings.Partitioner, o.Topic, n, eng.stickyByBatch())}
	if o.Rate > 0 {
		fd.lim = rate.NewLimiter(rate.Limit(o.Rate), max(1, int(o.Rate/100)))
	}
	feedErr := fd.runUntil(ctx)
	closeBy = time.Now().Add(o.FlushTimeout + closeGrace)
	endErr := eng.finish(o.FlushTimeout, feedErr != nil || ctx.Err() != nil)
	res := t.result()
	res.Topic, res.Partitions, res.Elapsed = o.Topic, n, time.Since(start)
	return res, outcome(ctx, res, feedErr, endErr)
}

func newEngine(f conn.Factory, client sarama.Client, o Options, n int32, t *tally) (engine, error) {
	if o.Settings.viaProducer() {
		return newProducerEngine(f, o.Topic, o.Settings, t, o.FlushTimeout)
	}
	return newBatchEngine(client, o.Topic, n, o.Settings, t)
}

// outcome is Run's error: interruption first, then what stopped the input,
// then the end of the last transaction, then undelivered records.
func outcome(ctx context.Context, res Result, feedErr, endErr error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: stopped after reading %d records", kqerr.ErrInterrupted, res.Sent)
	case feedErr != nil:
		return feedErr
	case endErr != nil:
		return endErr
	case res.Failed > 0 || res.InDoubt > 0:
		return fmt.Errorf("%w: %d of %d records failed, %d in doubt", ErrNotDelivered, res.Failed, res.Sent, res.InDoubt)
	}
	return nil
}

// feeder reads records, checks them, picks their partition and hands them
// to the engine.
type feeder struct {
	src      Source
	eng      engine
	tally    *tally
	rep      Reporter
	ch       *chooser
	lim      *rate.Limiter
	skipBad  bool
	maxBytes int
	r        Record
}

// runUntil feeds in a goroutine until the input ends or ctx is cancelled,
// and then stops the engine without waiting for a read in progress.
func (fd *feeder) runUntil(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- fd.run(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		fd.eng.stop()
		return ctx.Err()
	}
}

// run feeds records until the end of input or an error.
func (fd *feeder) run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := fd.step(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// step feeds one record; it returns io.EOF at the end of input.
func (fd *feeder) step(ctx context.Context) error {
	part, err := fd.next()
	if err == nil {
		return fd.send(ctx, part)
	}
	var ie *InputError
	if errors.As(err, &ie) && fd.skipBad {
		fd.tally.skipped()
		if fd.rep != nil {
			fd.tally.with(func() { fd.rep.Skipped(ie) })
		}
		return nil
	}
	return err
}

// send waits for the rate limit and hands the current record over.
func (fd *feeder) send(ctx context.Context, part int32) error {
	if fd.lim != nil {
		if err := fd.lim.Wait(ctx); err != nil {
			return ctx.Err()
		}
	}
	return fd.eng.add(&fd.r, part)
}

// next reads and checks the next record and picks its partition.
func (fd *feeder) next() (int32, error) {
	if err := fd.src.Next(&fd.r); err != nil {
		return 0, err
	}
	if size := fd.r.Size(); size > fd.maxBytes {
		return 0, &InputError{Pos: fd.r.Pos, Err: tooLarge(size, fd.maxBytes)}
	}
	return fd.ch.pick(&fd.r)
}

// closeGrace is how long closing the client may take after the flush
// timeout.
const closeGrace = 500 * time.Millisecond

// closeWithin closes c, waiting for it no later than deadline: a slow
// broker's answers to requests in flight do not hold up the exit.
func closeWithin(c io.Closer, deadline time.Time) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Close()
	}()
	t := time.NewTimer(max(time.Until(deadline), closeGrace))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
