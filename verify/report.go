package verify

import (
	"fmt"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/report"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/setting"
)

// Phase names.
const (
	// PhaseProduce is the producers writing the input.
	PhaseProduce = "produce"
	// PhaseConsume is the consumer group reading the input until it has
	// caught up: it ends with the consumers' last batch processed and
	// committed (with --auto-commit, when the drain finds the commits
	// caught up).
	PhaseConsume = "consume"
	// PhaseCopy is the copiers copying input to output until they have
	// caught up.
	PhaseCopy = "copy"
	// PhaseValidate is the validator reading the output.
	PhaseValidate = "validate"
)

// Report is the outcome of a [Run].
type Report struct {
	// Settings are the run's resolved settings.
	Settings Settings `json:"settings"`
	// Topics are the run's topics: the input, and the output of the copy
	// pipeline.
	Topics []string `json:"topics"`
	// Counts are the checker's counts of the run's history.
	Counts check.Counts `json:"counts"`
	// Evidence is what the history shows beyond the counts: its end, and
	// each fault's exposure (windows over traffic, crashes at risk).
	Evidence check.Evidence `json:"evidence"`
	// Verdict judges Counts and Evidence under the settings' semantics;
	// it has no Outcome when the run failed. In JSON its fields stand at
	// the top level: "verdict" ("held", "violated", "inconclusive",
	// absent for a failed run), "violations" and "reasons".
	Verdict check.Verdict `json:"-"`
	// Failed says why the run failed, when it did: the counts are then
	// partial and there is no verdict.
	Failed string `json:"failed,omitempty"`
	// Faults is the timeline of the fault windows that ran.
	Faults chaos.Timeline `json:"faults"`
	// Series is the run's time series, per second (see package report).
	Series report.Series `json:"series"`
	// Clients counts crashes and copier transactions.
	Clients ClientCounts `json:"clients"`
	// Phases are the run's phases with their throughput.
	Phases []Phase `json:"phases"`
	// Started is when the run began.
	Started time.Time `json:"started"`
	// Duration is how long the run took (duration_ms in JSON).
	Duration time.Duration `json:"-"`
	// Interrupted is set when the run was stopped early: the counts are
	// partial and there is no verdict.
	Interrupted bool `json:"interrupted,omitempty"`
	// Notes are caveats about what the run could see; they name settings
	// in braces (JSON: in words).
	Notes []kqerr.SettingText `json:"notes"`
	// Worker, for one worker of a distributed run, names it: its counts
	// are its share and it has no verdict (kq verify check judges the
	// workers' histories together).
	Worker *WorkerInfo `json:"worker,omitempty"`
	// checker counted the run, for AnomalySource; nil when nothing was
	// checked.
	checker *check.Checker
}

// ClientCounts count what happened to the run's clients.
type ClientCounts struct {
	// Crashes counts client crashes applied.
	Crashes uint64 `json:"crashes"`
	// TxnCommits counts the copiers' committed transactions.
	TxnCommits uint64 `json:"txn_commits"`
	// TxnAborts counts the transactions the copiers aborted themselves.
	TxnAborts uint64 `json:"txn_aborts"`
}

// Phase is one phase of a run.
type Phase struct {
	// Name is one of PhaseProduce, PhaseConsume, PhaseCopy, PhaseValidate.
	Name string `json:"name"`
	// Duration is how long the phase took (duration_ms in JSON).
	Duration time.Duration `json:"-"`
	// Records counts the records the phase handled: sent, delivered,
	// copied or validated.
	Records uint64 `json:"records"`
}

// PerSecond is the phase's throughput in records per second.
func (p Phase) PerSecond() float64 {
	if p.Duration <= 0 {
		return 0
	}
	return float64(p.Records) / p.Duration.Seconds()
}

// MarshalJSON adds duration_ms and records_per_sec.
func (p Phase) MarshalJSON() ([]byte, error) {
	type plain Phase
	return output.MarshalJSON(struct {
		plain
		DurationMS    int64   `json:"duration_ms"`
		RecordsPerSec float64 `json:"records_per_sec"`
	}{plain(p), p.Duration.Milliseconds(), p.PerSecond()})
}

// MarshalJSON adds duration_ms and puts the verdict's fields at the top
// level.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return output.MarshalJSON(struct {
		plain
		check.Verdict
		Partial    bool  `json:"partial"`
		DurationMS int64 `json:"duration_ms"`
	}{plain(r), r.Verdict, r.Partial(), r.Duration.Milliseconds()})
}

// Partial reports whether the run did not complete: then its counts are
// partial and it has no verdict.
// AnomalySource returns what goes through every anomaly the run's checker
// counted, for a report (see [report.Builder.Place]), or nil when the run
// checked nothing.
func (r Report) AnomalySource() report.AnomalySource {
	if r.checker == nil {
		return nil
	}
	return r.checker
}

func (r Report) Partial() bool { return r.Interrupted || r.Failed != "" }

// Err returns nil when the semantics held or the run did not complete
// or was one worker's (then there is no verdict; [Run] returns the run's
// error), an error
// matching kqerr.ErrCheckFailed when they were violated, and one matching
// kqerr.ErrInconclusive when the run could not show they held.
func (r Report) Err() error {
	if r.Partial() || r.Worker != nil {
		return nil
	}
	return r.Verdict.Err()
}

func (r *Report) addPhase(name string, start time.Time, records uint64) {
	r.addPhaseTo(name, start, time.Now(), records)
}

// addPhaseTo adds a phase that ended at end.
func (r *Report) addPhaseTo(name string, start, end time.Time, records uint64) {
	r.Phases = append(r.Phases, Phase{Name: name, Duration: end.Sub(start), Records: records})
}

// finishReport closes the history and fills in counts, evidence, notes and,
// for a run that completed (runErr nil), the verdict.
func (r *run) finishReport(rep *Report, runErr error) {
	rep.Duration = time.Since(rep.Started)
	rep.Clients = ClientCounts{Crashes: r.stats.crashes.Load(), TxnCommits: r.stats.commits.Load(), TxnAborts: r.stats.aborts.Load()}
	if rep.Faults.Events == nil {
		rep.Faults = chaos.Timeline{Seed: r.set.Faults.Seed, Events: []chaos.Event{}}
	}
	if r.rec != nil {
		if err := r.rec.Close(); err != nil {
			r.fail(err)
		}
		rep.Counts, rep.Evidence = r.checker.Result(), r.checker.Evidence()
		rep.checker = r.checker
		r.series.Place(r.checker)
		rep.Series = r.series.Series()
	}
	rep.Verdict = check.Verdict{Semantics: r.set.Semantics, Violations: []check.Violation{}, Reasons: []string{}}
	if runErr != nil && !rep.Interrupted {
		rep.Failed = runErr.Error()
	}
	if !rep.Partial() && r.coord == nil {
		rep.Verdict = check.Judge(rep.Counts, r.set.Semantics, rep.Evidence)
	}
	rep.Notes = r.notes(rep)
}

// notes lists the caveats of a run.
func (r *run) notes(rep *Report) []kqerr.SettingText {
	notes := []kqerr.SettingText{}
	s := r.set
	if s.Acks == setting.AcksNone {
		notes = append(notes, "acks=0: the client reports a send successful without the broker's answer; each such success counts as acknowledged (offset unknown)")
	}
	for _, sk := range s.Faults.Skipped {
		notes = append(notes, "fault "+sk+": not scheduled")
	}
	if r.paced != "" {
		notes = append(notes, r.paced)
	}
	notes = append(notes, r.unmodelled()...)
	if rep.Counts.Sent > 0 && rep.Counts.Indeterminate*2 > rep.Counts.Sent {
		notes = append(notes, kqerr.PlainText(fmt.Sprintf("%d of %d sends are indeterminate: loss is judged on acknowledged sends only", rep.Counts.Indeterminate, rep.Counts.Sent)))
	}
	return notes
}

// replicaModel is implemented by the built-in broker: its replica lag, 0
// when it does not model replication.
type replicaModel interface{ ReplicaLag() time.Duration }

// unmodelled names, in plain words, the risks the built-in broker cannot
// show, so a HELD on it is not read as more than it is.
func (r *run) unmodelled() []kqerr.SettingText {
	rm, ok := r.opts.Broker.(replicaModel)
	if !ok {
		return nil
	}
	notes := []kqerr.SettingText{"the built-in broker cannot show losses from a machine crash, a power loss or a failed disk (writes not yet on disk); run against a real cluster for those"}
	switch {
	case rm.ReplicaLag() <= 0:
		notes = append(notes, "the built-in broker runs without a replica lag ({replica lag} 0): every write is on every replica at once, so acks=1 and leader changes cannot lose anything here; drop {replica lag} 0 or run against a real cluster")
	case r.set.Acks != setting.AcksAll:
		notes = append(notes, "the built-in broker cannot show offset conflicts after a leader change: it never reuses the offsets of the writes a failover lost (Kafka does after truncating the log), it leaves them a gap; run against a real cluster for those")
	}
	return notes
}
