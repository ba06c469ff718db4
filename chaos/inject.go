package chaos

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Heal undoes an injected fault.
type Heal func(ctx context.Context) error

// Injector applies a fault; the returned Heal (nil for a fault with
// nothing to undo, such as a leader move) ends it.
type Injector interface {
	// Inject applies f.
	Inject(ctx context.Context, f Fault) (Heal, error)
}

// BrokerTarget is the built-in broker as the runner drives it; kq's
// *broker.Broker implements it.
type BrokerTarget interface {
	// FailRequests answers the next n requests of api with code.
	FailRequests(api int16, n int, code int16) error
	// DelayRequests delays every request of api by d until stop.
	DelayRequests(api int16, d time.Duration) (stop func())
	// StopNode stops a node and cuts its connections.
	StopNode(id int32) error
	// RestartNode brings a stopped node back.
	RestartNode(id int32) error
	// MoveLeaders moves partition leaders.
	MoveLeaders()
	// MoveCoordinators moves group and transaction coordinators.
	MoveCoordinators()
	// RestartCluster restarts the whole cluster from its data dir.
	RestartCluster() error
	// ShrinkISR takes the followers out of the in-sync replicas until
	// restore is called.
	ShrinkISR() (restore func(), err error)
}

// ClientTarget crashes kq's own clients: crash-producer, crash-consumer
// and crash-copier abandon a client mid-flight (no flush, no commit, no
// close handshake) and start a fresh one with the same ids.
type ClientTarget interface {
	// Crash crashes a client of the kind (CrashProducer, CrashConsumer
	// or CrashCopier).
	Crash(ctx context.Context, kind Kind) error
}

// Inject sets a network fault; healing clears it (a fault already
// cleared by other means heals without error). It makes an Engine the
// network [Injector] of a [Runner].
func (e *Engine) Inject(_ context.Context, f Fault) (Heal, error) {
	id, err := e.Set(f)
	if err != nil {
		return nil, err
	}
	return func(context.Context) error {
		if err := e.Clear(id); err != nil && !errors.Is(err, kqerr.ErrUsage) {
			return err
		}
		return nil
	}, nil
}

// brokerInjector applies broker faults to a BrokerTarget.
type brokerInjector struct{ b BrokerTarget }

// Inject applies one broker fault, defaults applied.
func (bi brokerInjector) Inject(_ context.Context, f Fault) (Heal, error) {
	f = f.WithDefaults()
	switch f.Kind {
	case BrokerError:
		for _, api := range f.APIs {
			if err := bi.b.FailRequests(api, f.Count, f.ErrorCode); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case BrokerSlow:
		return bi.slow(f), nil
	case KillNode:
		return bi.kill(f.Target)
	case LeaderMove:
		bi.b.MoveLeaders()
		return nil, nil
	case CoordinatorMove:
		bi.b.MoveCoordinators()
		return nil, nil
	case RestartCluster:
		return nil, bi.b.RestartCluster()
	case ISRShrink:
		restore, err := bi.b.ShrinkISR()
		if err != nil {
			return nil, err
		}
		return func(context.Context) error {
			for range f.Count {
				bi.b.MoveLeaders()
			}
			restore()
			return nil
		}, nil
	}
	return nil, fmt.Errorf("chaos: %s is not a broker fault", f.Kind)
}

func (bi brokerInjector) slow(f Fault) Heal {
	var stops []func()
	for _, api := range f.APIs {
		stops = append(stops, bi.b.DelayRequests(api, f.Delay))
	}
	return func(context.Context) error {
		for _, stop := range stops {
			stop()
		}
		return nil
	}
}

func (bi brokerInjector) kill(target string) (Heal, error) {
	id, err := strconv.ParseInt(target, 10, 32)
	if err != nil {
		return nil, kqerr.Usagef("kill-node needs a node id target, got %q", target)
	}
	if err := bi.b.StopNode(int32(id)); err != nil {
		return nil, err
	}
	return func(context.Context) error { return bi.b.RestartNode(int32(id)) }, nil
}

// clientInjector applies client crashes through a ClientTarget.
type clientInjector struct{ c ClientTarget }

// Inject crashes a client; there is nothing to heal.
func (ci clientInjector) Inject(ctx context.Context, f Fault) (Heal, error) {
	return nil, ci.c.Crash(ctx, f.Kind)
}
