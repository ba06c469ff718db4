package cmd

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/clusterinfo"
	"github.com/kq-dev/kq/internal/conn"
)

// discoverTimeout bounds the proxy's first question to the cluster.
const discoverTimeout = 5 * time.Second

// discoverNodes asks the cluster, through the proxy at bootstrap, for its
// brokers, so the proxy maps them before clients come and a schedule can
// pick targets. It returns their ids; on failure it warns and returns
// none.
func discoverNodes(ctx context.Context, cf conn.Factory, bootstrap string, log io.Writer) []int32 {
	cf.Profile.Brokers = []string{bootstrap}
	cf.Profile.Timeout = min(cf.Profile.WithDefaults().Timeout, discoverTimeout)
	cf.Tweak = func(c *sarama.Config) { c.Metadata.Retry.Max = 1 }
	done := make(chan []int32, 1)
	go func() {
		info, err := clusterinfo.Describe(cf)
		if err != nil {
			fmt.Fprintf(log, "warning: cannot ask the cluster for its brokers yet (%v); they are mapped as clients find them\n", err)
		}
		var ids []int32
		for _, b := range info.Brokers {
			ids = append(ids, b.ID)
		}
		done <- ids
	}()
	select {
	case ids := <-done:
		return ids
	case <-ctx.Done():
		return nil
	}
}

// lockedWriter serialises writes from the proxy's goroutines, the
// schedule and the command to one stream.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
