package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
	"github.com/kq-dev/kq/verify/report"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// Run defaults.
const (
	// DefaultRequestTimeout bounds each broker round trip of the run's
	// clients: a lost response becomes a retry (or an indeterminate send)
	// after this long.
	DefaultRequestTimeout = 2 * time.Second
	// DefaultDrainTimeout bounds each wait at the end of a run: for sends
	// to be answered, for consumers or copiers to catch up with the log
	// end, for the validator to read the output.
	DefaultDrainTimeout = time.Minute
)

// Options configure a [Run]. Zero values take the defaults.
type Options struct {
	// RunSettings shape the run; the workers of a distributed run all run
	// with worker 0's.
	RunSettings

	// ExecStart is the shell command the exec fault runs as a window opens.
	ExecStart string
	// ExecEnd is the shell command the exec fault runs as a window closes.
	ExecEnd string

	// Broker is the built-in broker the run talks to, which makes broker
	// faults available; nil on any other cluster.
	Broker chaos.BrokerTarget

	// History, when set, receives the history as JSON lines.
	History io.Writer
	// KeepTopics keeps the run's topics (and groups) at the end.
	KeepTopics bool
	// Log receives a line per phase, fault window and crash; nil discards.
	Log io.Writer

	// Worker, when set, makes the run one worker of a distributed run (see
	// [Worker]); nil runs alone.
	Worker *Worker
}

// RunSettings are the settings that shape a run: what worker 0 of a
// distributed run resolves and tells the others (gob encoded, so a field
// added here travels too). Zero values take the defaults.
type RunSettings struct {
	// Semantics is the guarantee judged; empty means at-least-once.
	Semantics check.Semantics
	// Overrides change the preset's client settings.
	Overrides Overrides
	// Workload is the message stream.
	Workload Workload

	// Faults are the faults to schedule: the semantics' defaults (the
	// zero value), none, or a list.
	Faults FaultChoice
	// FaultInterval is the mean quiet time before each fault window; zero
	// means chaos.DefaultInterval.
	FaultInterval time.Duration
	// FaultDuration is the length of each fault window; zero means
	// chaos.DefaultDuration.
	FaultDuration time.Duration
	// MinWindows is how many full windows over traffic each named fault
	// needs for a verdict (client crashes: crashes with work at risk); the
	// run paces itself to give them. Zero means DefaultMinWindows.
	MinWindows int
	// Seed replays a schedule (and the copiers' abort choices); 0 picks one
	// at random, which the report names.
	Seed uint64

	// RequestTimeout bounds each broker round trip of the run's clients;
	// zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// DrainTimeout bounds each wait at the end of the run; zero means
	// DefaultDrainTimeout.
	DrainTimeout time.Duration
}

// Run runs one verification: it creates the run's topics on the cluster f
// reaches, writes the workload while the fault schedule runs, waits for
// consumers (or copiers, then the validator) to catch up, checks the
// history and deletes the topics. progress, when not nil, is called about
// every [ProgressInterval] from one goroutine.
//
// A violated verdict is not an error: see [Report.Err]. Settings that
// cannot run are usage errors; a cluster that cannot be reached wraps
// kqerr.ErrUnreachable; these and other errors before the workload starts
// come back with a zero Report. Once it has started, the report comes back
// with any error: when ctx ends, one wrapping kqerr.ErrInterrupted.
func Run(ctx context.Context, f conn.Factory, opts Options, progress Progress) (Report, error) {
	if opts.Worker != nil {
		return runWorker(ctx, f, opts, progress)
	}
	set, err := Resolve(opts)
	if err != nil {
		return Report{}, err
	}
	r := newRun(f, opts, set)
	return r.execute(ctx, progress)
}

// run is the state of one verification.
type run struct {
	set  Settings
	opts Options
	ids  runIDs

	f conn.Factory // the workload's clients: through the chaos engine
	// coord is the control topic of a distributed run; nil alone.
	coord *coordinator
	ctrl  conn.Factory // the run's own control clients: no faults
	ctl   *control     // the run's control client, once open

	engine         *chaos.Engine
	rec            *history.Recorder
	checker        *check.Checker  // fed by rec; read under rec.Hold
	series         *report.Builder // fed by rec
	acked          *ackedOffsets   // fed by rec when the run watches cut tails
	stats          stats
	limiter        *limiter
	paced          kqerr.SettingText // the pacing note, if the run was paced
	requestTimeout time.Duration
	drainTimeout   time.Duration

	phase      phaseTracker
	faultStart atomic.Int64 // unix nanoseconds when the schedule started

	producers []*producer
	consumers []*consumer
	copiers   []*copier
	crash     *crasher

	graveyard sync.WaitGroup // crashed clients shutting down

	errOnce sync.Once
	err     error // first fatal error of a worker
	cancel  context.CancelCauseFunc

	// lateReaders, when set, starts the consumers (or copiers) only once
	// the produce phase is over, times their phase from then and is called
	// as they start: a benchmark's measure of the readers alone
	// (BenchmarkConsumeDrain). No run sets it.
	lateReaders func()
}

func newRun(f conn.Factory, opts Options, set Settings) *run {
	r := &run{set: set, opts: opts, ids: newRunIDs(), f: f, ctrl: f}
	r.requestTimeout = orDuration(opts.RequestTimeout, DefaultRequestTimeout)
	r.drainTimeout = orDuration(opts.DrainTimeout, DefaultDrainTimeout)
	r.limiter = newLimiter(set.Workload.Rate)
	if hasNetworkFault(set.Faults.Faults) {
		r.engine = chaos.NewEngine(chaos.EngineOptions{Seed: set.Faults.Seed})
		r.f.Dialer = chaos.NewDialer(r.engine, chaos.DialerOptions{Forward: f.Dialer, Timeout: r.dialTimeout()})
	}
	r.crash = &crasher{r: r, rng: rand.New(rand.NewPCG(set.Faults.Seed, 0xc4a5))}
	return r
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func hasNetworkFault(faults []chaos.Fault) bool {
	for _, f := range faults {
		if f.Kind.Layer() == chaos.LayerNetwork {
			return true
		}
	}
	return false
}

// faultsSince is the time since the fault schedule started.
func (r *run) faultsSince() time.Duration {
	return time.Since(time.Unix(0, r.faultStart.Load()))
}

// dialTimeout is the profile's dial timeout.
func (r *run) dialTimeout() time.Duration {
	return r.f.Profile.WithDefaults().Timeout
}

// newLife returns the crash state of a new client incarnation, dialing
// through the workload's dialer.
func (r *run) newLife() *life { return newLife(r.f.Dialer, r.dialTimeout()) }

// bury shuts a crashed client down in the background; the run waits for
// the graveyard, a while, before it returns.
func (r *run) bury(shutdown func()) {
	r.graveyard.Add(1)
	go func() {
		defer r.graveyard.Done()
		shutdown()
	}()
}

// awaitGraveyard waits up to timeout for crashed clients to shut down.
func (r *run) awaitGraveyard(timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		r.graveyard.Wait()
		close(done)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		r.logf("crashed clients still shutting down after %v", timeout)
	}
}

// record adds an event to the history; a history that cannot be written
// stops the run.
func (r *run) record(e history.Event) {
	if err := r.rec.Record(e); err != nil {
		r.fail(fmt.Errorf("record history: %w", err))
	}
}

// recordSend records a send's outcome with its latency from handed (see
// [history.Recorder.RecordSend]).
func (r *run) recordSend(e history.Event, handed time.Time) {
	if err := r.rec.RecordSend(e, handed); err != nil {
		r.fail(fmt.Errorf("record history: %w", err))
	}
}

// recordSends records the outcomes of sends learnt together (see
// [history.Recorder.RecordSends]).
func (r *run) recordSends(es []history.Event, handed []time.Time) {
	if err := r.rec.RecordSends(es, handed); err != nil {
		r.fail(fmt.Errorf("record history: %w", err))
	}
}

// recordAll records events processed together (see
// [history.Recorder.RecordAll]).
func (r *run) recordAll(es []history.Event) {
	if err := r.rec.RecordAll(es); err != nil {
		r.fail(fmt.Errorf("record history: %w", err))
	}
}

// fail stops the run with err (the first one wins).
func (r *run) fail(err error) {
	r.errOnce.Do(func() {
		r.err = err
		if r.cancel != nil {
			r.cancel(err)
		}
	})
}

// logf writes a line to the run's log.
func (r *run) logf(format string, args ...any) {
	if r.opts.Log != nil {
		fmt.Fprintf(r.opts.Log, "verify: "+format+"\n", args...)
	}
}

// retryOpen calls open until it succeeds, ctx ends or the drain timeout
// passes; a configuration or usage error is returned at once.
func retryOpen[T any](ctx context.Context, r *run, open func() (T, error)) (T, error) {
	deadline := time.Now().Add(r.drainTimeout)
	for {
		v, err := open()
		var cfgErr sarama.ConfigurationError
		switch {
		case err == nil:
			return v, nil
		case errors.As(err, &cfgErr):
			return v, fmt.Errorf("%w: sarama rejects the settings: %s", kqerr.ErrUsage, cfgErr)
		case errors.Is(err, errCrashed), errors.Is(err, kqerr.ErrUsage), time.Now().After(deadline):
			return v, err
		}
		if !sleepCtx(ctx, 200*time.Millisecond) {
			return v, ctx.Err()
		}
	}
}

// sleepCtx sleeps for d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// waitUntil polls cond every 20ms until it holds, timeout passes or ctx
// ends; it reports whether cond held.
func waitUntil(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) || !sleepCtx(ctx, 20*time.Millisecond) {
			return cond()
		}
	}
	return true
}
