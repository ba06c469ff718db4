package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

// verifyWorkerFlags are the flags of one worker of a distributed run.
type verifyWorkerFlags struct {
	// Worker is --worker I/N; empty runs alone.
	Worker string
	// RunID names the run the workers share.
	RunID string
	// ControlBrokers is the cluster of the control topic; empty uses the
	// cluster under test.
	ControlBrokers string
	// Timeout bounds each wait for the other workers.
	Timeout time.Duration
}

func addVerifyWorkerFlags(c *cobra.Command, w *verifyWorkerFlags) {
	fl := c.Flags()
	fl.StringVar(&w.Worker, "worker", "", "run worker I of N (I/N, from 0) of a run spread over hosts; needs --run-id and -b (see the README)")
	fl.StringVar(&w.RunID, "run-id", "", "with --worker: the run's id, the same on every worker (its topics are kq-verify-ID...)")
	fl.StringVar(&w.ControlBrokers, "control-brokers", "", "with --worker: brokers of the cluster the workers coordinate on (default: the cluster under test)")
	fl.DurationVar(&w.Timeout, "worker-timeout", verify.DefaultWorkerTimeout, "with --worker: how long to wait for the other workers at each barrier")
}

// apply checks the worker flags and, with --worker, sets opts.Worker. It
// runs before any connection, so that a bad value is a usage error at once.
func (w *verifyWorkerFlags) apply(opts *verify.Options, cf conn.Factory, changed func(string) bool) error {
	if w.Worker == "" {
		for _, name := range []string{"run-id", "control-brokers", "worker-timeout"} {
			if changed(name) {
				return kqerr.Usagef("--%s goes with --worker I/N", name)
			}
		}
		return nil
	}
	i, n, err := verify.ParseWorker(w.Worker)
	if err != nil {
		return err
	}
	if w.RunID == "" {
		return kqerr.Usagef("--worker needs --run-id: the workers of one run find each other by it")
	}
	if w.Timeout <= 0 {
		return kqerr.Usagef("--worker-timeout must be positive")
	}
	opts.Worker = &verify.Worker{Index: i, Count: n, RunID: w.RunID, Timeout: w.Timeout}
	if w.ControlBrokers != "" {
		ctl := cf
		ctl.Profile.Brokers = strings.Split(w.ControlBrokers, ",")
		opts.Worker.Control = &ctl
	}
	return nil
}

// errWorkerBuiltIn is the error of --worker without a cluster.
var errWorkerBuiltIn = kqerr.Usagef("--worker needs a cluster the workers share (-b, KQ_BROKERS or a profile): the built-in broker lives inside one process")

// workerNoVerdict says why a worker prints no verdict.
func workerNoVerdict(w *verify.WorkerInfo) string {
	return fmt.Sprintf("this is worker %d of %d of run %s: check the %d workers' histories together (kq verify check FILE...)",
		w.Index, w.Count, w.Run, w.Count)
}

// renderRunCounts prints a run's counts; a worker's are its share of the
// run, so only the plain counts are shown, not judged.
func renderRunCounts(p *output.Printer, rep verify.Report) error {
	if rep.Worker == nil {
		return renderCounts(p, rep.Counts, rep.Settings.Semantics)
	}
	var rows [][]string
	for _, r := range countRows(rep.Counts) {
		if check.RuleOf(r.anomaly) == "" {
			rows = append(rows, []string{r.name, strconv.FormatUint(r.count, 10)})
		}
	}
	return p.Table([]string{"count of this worker", "value"}, rows)
}
