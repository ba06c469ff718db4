package cmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify"
)

// renderVerifyReport prints a run's report: JSON, or settings, counts,
// phases, fault windows and the verdict.
func renderVerifyReport(p *output.Printer, rep verify.Report) error {
	if p.Format == output.JSON {
		return p.JSON(rep)
	}
	if err := p.KV(settingsPairs(rep)); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	if err := renderRunCounts(p, rep); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	if err := renderPhases(p, rep.Phases); err != nil {
		return err
	}
	if len(rep.Faults.Events) > 0 {
		fmt.Fprintln(p.IO.Out)
		if err := renderTimeline(p, rep.Faults); err != nil {
			return err
		}
	}
	if err := renderExposure(p, rep.Evidence); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	renderVerdict(p, rep.Verdict, rep.Counts, partialReason(rep))
	for _, n := range rep.Notes {
		fmt.Fprintf(p.IO.Out, "%s %s\n", p.Warn("note:"), n.Render(flagOf))
	}
	return nil
}

// partialReason says why a run has no verdict, or "".
func partialReason(rep verify.Report) string {
	switch {
	case rep.Worker != nil && !rep.Partial():
		return workerNoVerdict(rep.Worker)
	case rep.Interrupted:
		return "the run was interrupted"
	case rep.Failed != "":
		return "run failed: " + rep.Failed
	}
	return ""
}

func settingsPairs(rep verify.Report) [][2]string {
	s, w := rep.Settings, rep.Settings.Workload
	client := fmt.Sprintf("acks=%s idempotent=%t retries=%d max-in-flight=%d commit=%s isolation=%s auto-commit=%t",
		s.Acks, s.Idempotent, s.Retries, s.MaxInFlight, s.Commit, s.Isolation, s.AutoCommit)
	if len(s.Overridden) > 0 {
		client += " (overridden: " + strings.Join(s.Overridden, ", ") + ")"
	}
	amount := strconv.FormatInt(w.Messages, 10) + " messages"
	if w.Duration > 0 {
		amount = "for " + w.Duration.String()
	}
	rate := "unlimited"
	if w.Rate > 0 {
		rate = rateText(w.Rate)
	}
	readers := fmt.Sprintf("%d consumers (process time %v a batch)", w.Consumers, w.ProcessTime)
	if s.Pipeline() {
		readers = fmt.Sprintf("%d copiers (txn-size %d, abort-rate %v)", w.Consumers, w.TxnSize, w.AbortRate)
	}
	faults := fmt.Sprintf("%s; a %v window about every %v; seed %d", s.Faults.Spec, s.Faults.Duration, s.Faults.Interval, s.Faults.Seed)
	return [][2]string{
		{"semantics", string(s.Semantics)},
		{"client", client},
		{"workload", fmt.Sprintf("%s, %d producers, %s, %d partitions, %d B values, %s", amount, w.Producers, readers, w.Partitions, w.Size, rate)},
		{"faults", faults},
		{"topics", topicsText(rep)},
		{"clients", clientsText(rep)},
		{"duration", rep.Duration.Round(time.Millisecond).String()},
	}
}

// rateText spells a rate in values per second: whole above 10/s (a paced
// rate is any fraction), to three figures below.
func rateText(rate float64) string {
	if rate >= 10 {
		return strconv.FormatFloat(math.Round(rate), 'f', 0, 64) + "/s"
	}
	return strconv.FormatFloat(rate, 'g', 3, 64) + "/s"
}

func topicsText(rep verify.Report) string {
	out := strings.Join(rep.Topics, " -> ")
	if c := rep.Settings.Workload.TopicConfigText(); c != "" {
		out += " (" + c + ")"
	}
	return out
}

func clientsText(rep verify.Report) string {
	c := rep.Clients
	if !rep.Settings.Pipeline() {
		return fmt.Sprintf("crashes: %d", c.Crashes)
	}
	return fmt.Sprintf("crashes: %d, transactions: %d committed, %d aborted", c.Crashes, c.TxnCommits, c.TxnAborts)
}

func renderPhases(p *output.Printer, phases []verify.Phase) error {
	rows := make([][]string, 0, len(phases))
	for _, ph := range phases {
		rows = append(rows, []string{ph.Name, ph.Duration.Round(time.Millisecond).String(),
			strconv.FormatUint(ph.Records, 10), strconv.FormatFloat(ph.PerSecond(), 'f', 0, 64)})
	}
	return p.Table([]string{"phase", "duration", "records", "per sec"}, rows)
}

func renderTimeline(p *output.Printer, tl chaos.Timeline) error {
	rows := make([][]string, 0, len(tl.Events))
	for _, ev := range tl.Events {
		status := "ok"
		switch {
		case ev.Error != "":
			status = p.Bad("failed: " + ev.Error)
		case ev.HealError != "":
			status = p.Bad("heal failed: " + ev.HealError)
		case ev.Interrupted:
			status = "cut short"
		}
		rows = append(rows, []string{fmt.Sprintf("+%v..+%v", ev.PlannedStart, ev.PlannedEnd), ev.Fault, status})
	}
	return p.Table([]string{"fault window", "fault", "status"}, rows)
}
