package verify

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultWorkerTimeout bounds each wait of a worker for the others: for
// worker 0's plan, and at each barrier.
const DefaultWorkerTimeout = 5 * time.Minute

// MaxWorkers bounds the workers of one run.
const MaxWorkers = 1000

// Worker makes a run one of Count workers of one distributed run (kq
// verify --worker I/N), each on its own host against one cluster. The
// workers share the run's topics and groups, named by RunID, and meet on a
// control topic (kq-verify-RUNID-control, one partition) on the cluster
// under test or on Control: worker 0 publishes the run's settings, seed
// and fault plan there and the others take them from it; all meet at a
// start barrier, again when every worker has produced (so the log end is
// final before the drain), and worker 0 waits for every worker to have
// drained before it validates (the copy pipeline) and deletes the topics.
//
// Producer ids, consumer names and static member ids, and transactional ids
// are disjoint by construction: worker I's producers are I*P to I*P+P-1,
// its consumers (or copiers) I*C to I*C+C-1 of the run's N*C. Each worker
// writes its own history (its meta line names the worker); only all N,
// merged by kq verify check, are the run's, so a worker prints no verdict.
// Worker 0 alone runs exec faults (they act on the whole cluster); network
// and client faults act on each worker's own clients.
type Worker struct {
	// Index is the worker's number, 0 to Count-1; Count the run's workers.
	Index, Count int
	// RunID names the run: its topics and groups are kq-verify-RUNID...
	RunID string
	// Control, when set, is the cluster of the control topic; nil uses the
	// cluster under test.
	Control *conn.Factory
	// Timeout bounds each wait for the other workers; zero means
	// DefaultWorkerTimeout.
	Timeout time.Duration
}

// ParseWorker reads --worker I/N. Its errors are one-line usage errors.
func ParseWorker(s string) (index, count int, err error) {
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(is)
	n, nerr := strconv.Atoi(ns)
	switch {
	case !ok || ierr != nil || nerr != nil:
		return 0, 0, kqerr.Settingf("{worker} %q: want I/N, worker I of N counting from 0 (e.g. 0/3)", s)
	case n < 1 || n > MaxWorkers:
		return 0, 0, kqerr.Settingf("{worker} %q: N must be between 1 and %d", s, MaxWorkers)
	case i < 0 || i >= n:
		return 0, 0, kqerr.Settingf("{worker} %q: I must be between 0 and %d (workers count from 0)", s, n-1)
	}
	return i, n, nil
}

// runIDPattern is what a run id may hold: it goes into topic names.
// It is compiled on first use: its {1,200} makes ~2,600 allocations,
// which every kq process paid at start when it was a package variable.
var runIDPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9._-]{1,200}$`)
})

// validate checks the worker's settings.
func (w *Worker) validate() error {
	switch {
	case w.Count < 1 || w.Count > MaxWorkers || w.Index < 0 || w.Index >= w.Count:
		return kqerr.Usagef("worker %d of %d does not exist (want 0 <= I < N <= %d)", w.Index, w.Count, MaxWorkers)
	case w.RunID == "":
		return kqerr.Settingf("{worker} needs {run id}: the workers of one run find each other by it")
	case !runIDPattern().MatchString(w.RunID):
		return kqerr.Settingf("{run id} %q: use letters, digits, '.', '_' and '-' (it names topics)", w.RunID)
	}
	return nil
}

// timeout is the wait bound for the other workers.
func (w *Worker) timeout() time.Duration { return orDuration(w.Timeout, DefaultWorkerTimeout) }

// base is the name the run's topics and groups start with.
func (w *Worker) base() string {
	if strings.HasPrefix(w.RunID, TopicPrefix) {
		return w.RunID
	}
	return TopicPrefix + w.RunID
}

// WorkerInfo names, in a [Report], the worker a run was.
type WorkerInfo struct {
	// Index and Count place the worker; Run is the run's id (the
	// history's "run").
	Index int    `json:"index"`
	Count int    `json:"count"`
	Run   string `json:"run"`
}
