package verify

import (
	"fmt"
	"os"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
)

// Builtin is the built-in cluster a run starts for itself when no cluster
// is configured: three nodes on random 127.0.0.1 ports.
type Builtin struct {
	*broker.Broker
	dir string
}

// StartBuiltin starts the built-in cluster for a run of the given faults:
// with a data directory when a fault restarts the whole
// cluster (which must come back from disk), and with replication modelled
// with a follower lag of lag (0: off).
func StartBuiltin(faults FaultChoice, lag time.Duration) (*Builtin, error) {
	o := broker.Options{Nodes: 3, Port: 0, ReplicaLag: lag}
	if faults.has(chaos.RestartCluster) {
		dir, err := os.MkdirTemp("", "kq-verify-")
		if err != nil {
			return nil, fmt.Errorf("data dir for the built-in broker: %w", err)
		}
		o.DataDir = dir
	}
	b, err := broker.Start(o)
	if err != nil {
		if o.DataDir != "" {
			os.RemoveAll(o.DataDir)
		}
		return nil, err
	}
	return &Builtin{Broker: b, dir: o.DataDir}, nil
}

// Close stops the cluster and removes its data directory.
func (b *Builtin) Close() {
	b.Broker.Close()
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}
