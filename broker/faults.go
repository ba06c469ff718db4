package broker

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FailRequests answers the next n requests of api (a Kafka API key, such as
// 0 for Produce) with the Kafka error code for every partition, group or
// transaction they name, without processing them: the request has no effect
// on the cluster. It returns an error for an API it cannot answer so.
func (b *Broker) FailRequests(api int16, n int, code int16) error {
	if err := canFail(api); err != nil {
		return err
	}
	if n <= 0 {
		return nil
	}
	c := b.cluster()
	var left atomic.Int64
	left.Store(int64(n))
	c.ControlKey(api, func(req kmsg.Request) (kmsg.Response, error, bool) {
		if left.Add(-1) < 0 {
			c.DropControl()
			return nil, nil, false
		}
		if left.Load() > 0 {
			c.KeepControl()
		}
		resp, _ := errorResponse(req, code)
		return resp, nil, true
	})
	return nil
}

// DelayRequests holds every request of api for d before the broker
// processes it, until the returned stop function is called. Requests on the
// same connection queue behind a delayed one, as on a slow broker.
func (b *Broker) DelayRequests(api int16, d time.Duration) (stop func()) {
	c := b.cluster()
	done := make(chan struct{})
	var stopped atomic.Bool
	c.ControlKey(api, func(kmsg.Request) (kmsg.Response, error, bool) {
		if stopped.Load() {
			c.DropControl()
			return nil, nil, false
		}
		c.SleepControl(func() {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-done:
			}
		})
		return nil, nil, false
	})
	return func() {
		if !stopped.Swap(true) {
			close(done)
		}
	}
}

// LiveConns returns the number of open client connections to node id.
func (b *Broker) LiveConns(id int32) int {
	b.mu.Lock()
	port := b.ports[id]
	b.mu.Unlock()
	return b.conns.count(port)
}

// Leader returns the node that leads a partition, or -1 if it does not
// exist.
func (b *Broker) Leader(topic string, partition int32) int32 {
	return b.cluster().LeaderFor(topic, partition)
}

// MoveCoordinators moves every group and transaction coordinator, so
// clients get NOT_COORDINATOR and must find the new one.
func (b *Broker) MoveCoordinators() {
	b.cluster().RehashCoordinators()
}

// Coordinator returns the node that coordinates a group or transactional
// id.
func (b *Broker) Coordinator(key string) int32 {
	return b.cluster().CoordinatorFor(key)
}

// RestartCluster closes the whole cluster and starts it again on the same
// ports from its data directory, as after a full outage. Client connections
// are cut; control hooks ([Broker.FailRequests], [Broker.DelayRequests]) do
// not survive. It needs Options.DataDir: without it the data would be gone.
func (b *Broker) RestartCluster() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.opts.DataDir == "" {
		return errors.New("broker: restart needs a data dir")
	}
	if b.closed {
		return errors.New("broker: closed")
	}
	ports := make([]int, len(b.ports))
	for id, p := range b.ports {
		ports[id] = p
	}
	b.c.Close()
	b.conns.cutAll()
	for id := range b.stopped {
		if err := b.conns.setUp(b.ports[id]); err != nil { // the old listener is closed: nothing to reopen
			return fmt.Errorf("broker: restart cluster: %w", err)
		}
	}
	b.stopped = map[int32]bool{}
	b.live.Store(int32(len(ports)))
	return b.open(ports)
}

// PartitionOffsets returns a partition's log start offset, high watermark
// and last stable offset, read straight from the broker's state.
func (b *Broker) PartitionOffsets(topic string, partition int32) (start, high, stable int64, err error) {
	info := b.cluster().PartitionInfo(topic, partition)
	if info == nil {
		return 0, 0, 0, fmt.Errorf("broker: no partition %s/%d", topic, partition)
	}
	return info.LogStartOffset, info.HighWatermark, info.LastStableOffset, nil
}
