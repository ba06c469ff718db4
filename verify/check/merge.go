package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kq-dev/kq/verify/history"
)

// RunSet is what the meta lines of histories checked together say of the
// run they make: kq verify --worker I/N writes one history per worker,
// and only all N of them, of one run, are the run's history.
type RunSet struct {
	// Run is the run's id, Workers its worker count (worker 0's meta
	// line, or the first file's).
	Run     string `json:"run"`
	Workers int    `json:"workers"`
	// Files are the histories, in the order given; Worker[i] is the worker
	// whose history Files[i] is (-1: its meta line names none).
	Files  []string `json:"files"`
	Worker []int    `json:"worker"`
	// Problems say why the files are not exactly one run's N histories;
	// any makes the verdict INCONCLUSIVE.
	Problems []string `json:"problems"`
}

// Files checks the histories in the files at paths as one: the histories
// of the workers of one run, merged in time order (see [history.Merger])
// and streamed, so the memory bound is that of one history of all their
// events. The files must be exactly the histories of one run's workers
// (one run id, one worker count, each worker once): otherwise the verdict
// is INCONCLUSIVE with the reasons in RunSet.Problems. One file whose meta
// line names no workers is checked as [File] does.
func Files(paths []string, s Semantics, opts Options) (HistoryResult, error) {
	srcs, closeAll, err := history.OpenFiles(paths)
	if err != nil {
		return HistoryResult{}, err
	}
	defer closeAll()
	return Merge(srcs, s, opts)
}

// Merge is [Files] of sources already open.
func Merge(srcs []history.Source, s Semantics, opts Options) (HistoryResult, error) {
	if s != "" {
		var err error
		if s, err = ParseSemantics(string(s)); err != nil {
			return HistoryResult{}, err
		}
	}
	m, err := history.NewMerger(srcs, history.ReadOptions{Lenient: opts.Lenient})
	if err != nil {
		return HistoryResult{}, err
	}
	metas, err := parsedMetas(m.Metas(), srcs)
	if err != nil {
		return HistoryResult{}, err
	}
	var res HistoryResult
	res.Run = runSet(srcs, metas)
	res.Workers = newWorkerRates(srcs, metas)
	c := New(opts)
	if meta := mergedMeta(metas); meta != nil {
		res.Meta = meta
		if err := c.Add(*meta); err != nil {
			return HistoryResult{}, err
		}
	}
	ends := make([]*history.Event, len(srcs))
	for m.Next() {
		i, e := m.Event()
		res.Workers[i].add(&e)
		switch e.Type {
		case history.TypeEnd:
			ends[i] = &e
			continue // judged together below
		case history.TypeFault:
			res.Faults = append(res.Faults, e)
		}
		if err := c.Add(e); err != nil {
			return HistoryResult{}, m.Wrap(err)
		}
	}
	if err := m.Err(); err != nil {
		return HistoryResult{}, err
	}
	if end := mergedEnd(ends, srcs); end != nil {
		if err := c.Add(*end); err != nil {
			return HistoryResult{}, err
		}
	}
	return res.judged(c, s)
}

// parsedMetas checks the semantics each meta line names and spells them
// the one way.
func parsedMetas(metas []*history.Event, srcs []history.Source) ([]*history.Event, error) {
	for i, m := range metas {
		if m == nil || m.Semantics == "" {
			continue
		}
		sem, err := ParseSemantics(m.Semantics)
		if err != nil {
			return nil, fmt.Errorf("%s line 1: %w", srcs[i].Name, err)
		}
		m.Semantics = string(sem)
	}
	return metas, nil
}

// runSet judges whether the sources are one run's worker histories: nil
// for a single history that is not a worker's.
func runSet(srcs []history.Source, metas []*history.Event) *RunSet {
	if len(srcs) == 1 && (metas[0] == nil || metas[0].Workers == 0) {
		return nil
	}
	set := &RunSet{Problems: []string{}}
	ref := referenceMeta(metas)
	if ref != nil {
		set.Run, set.Workers = ref.Run, ref.Workers
	}
	seen := map[int]string{}
	for i, m := range metas {
		name := srcs[i].Name
		set.Files = append(set.Files, name)
		set.Worker = append(set.Worker, -1)
		switch {
		case m == nil:
			set.problem("%s has no meta line: it names no run and no worker", name)
		case m.Workers == 0:
			set.problem("%s is not a worker's history (its meta line names no workers): check it alone", name)
		case m.Run != set.Run:
			set.problem("%s is of run %q, not %q", name, m.Run, set.Run)
		case m.Workers != set.Workers:
			set.problem("%s is worker %d of %d, not of %d", name, m.Worker, m.Workers, set.Workers)
		case seen[m.Worker] != "":
			set.problem("worker %d twice: %s and %s", m.Worker, seen[m.Worker], name)
		default:
			seen[m.Worker] = name
			set.Worker[i] = m.Worker
		}
		if m != nil && ref != nil && m.Semantics != ref.Semantics {
			set.problem("%s claims %s, not %s", name, m.Semantics, ref.Semantics)
		}
	}
	var missing []string
	for w := range set.Workers {
		if seen[w] == "" {
			missing = append(missing, fmt.Sprint(w))
		}
	}
	if len(missing) > 0 {
		set.problem("worker %s of %d missing: no history of %s given", strings.Join(missing, ", "), set.Workers, plural(len(missing), "it", "them"))
	}
	return set
}

func (s *RunSet) problem(format string, args ...any) {
	s.Problems = append(s.Problems, fmt.Sprintf(format, args...))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// referenceMeta is worker 0's meta line, or else the first one.
func referenceMeta(metas []*history.Event) *history.Event {
	var first *history.Event
	for _, m := range metas {
		if m == nil {
			continue
		}
		if m.Workers > 0 && m.Worker == 0 {
			return m
		}
		if first == nil {
			first = m
		}
	}
	return first
}

// mergedMeta is the meta line of the merged history: worker 0's (or the
// first), naming the faults every worker names (only one worker runs
// cluster-wide faults) and the most windows any asks for.
func mergedMeta(metas []*history.Event) *history.Event {
	ref := referenceMeta(metas)
	if ref == nil {
		return nil
	}
	out := *ref
	out.Faults = slices.Clone(ref.Faults)
	for _, m := range metas {
		if m == nil {
			continue
		}
		out.MinWindows = max(out.MinWindows, m.MinWindows)
		for _, f := range m.Faults {
			if !slices.Contains(out.Faults, f) {
				out.Faults = append(out.Faults, f)
			}
		}
	}
	return &out
}

// mergedEnd is the end line of the merged history: complete when every
// history ended complete, else the first that did not, its reason naming
// the file; nil when no history has an end line (as for one file).
func mergedEnd(ends []*history.Event, srcs []history.Source) *history.Event {
	if len(ends) == 1 {
		return ends[0]
	}
	var out *history.Event
	for i, e := range ends {
		switch {
		case e == nil:
			return &history.Event{Type: history.TypeEnd, Outcome: history.OutcomeFailed,
				Reason: srcs[i].Name + " has no end line, so it may be partial"}
		case e.Outcome != history.OutcomeComplete:
			if out == nil || out.Outcome == history.OutcomeComplete {
				x := *e
				x.Reason = srcs[i].Name + ": " + e.Reason
				out = &x
			}
		case out == nil:
			out = e
		}
	}
	return out
}

// judgeSet makes a verdict INCONCLUSIVE when the histories are not one
// run's: then a count may be another worker's missing half (a value sent
// in one file and delivered in another), so no rule is judged.
func judgeSet(v Verdict, set *RunSet) Verdict {
	if set == nil || len(set.Problems) == 0 {
		return v
	}
	reasons := make([]string, 0, len(set.Problems)+len(v.Reasons)+1)
	for _, p := range set.Problems {
		reasons = append(reasons, "the histories are not one run's: "+p)
	}
	if len(v.Violations) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d rules seem broken, but counts from an incomplete set of histories cannot be judged", len(v.Violations)))
	}
	v.Reasons = append(reasons, v.Reasons...)
	v.Violations = []Violation{}
	v.Outcome, v.Held = Inconclusive, false
	return v
}
