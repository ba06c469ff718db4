package report

import (
	"github.com/kq-dev/kq/verify/history"
)

// ReadFiles is [Read] of several histories merged in time order (see
// [history.Merger]): the union timeline of a run's workers (each
// history's share is [check.HistoryResult]'s Workers). With src (the checker of
// the same histories; may be nil) the series marks and counts every
// anomaly (see [Builder.Place]).
func ReadFiles(paths []string, opts Options, watch []Watch, src AnomalySource) (Series, []AnomalyExamples, error) {
	srcs, closeAll, err := history.OpenFiles(paths)
	if err != nil {
		return Series{}, nil, err
	}
	defer closeAll()
	m, err := history.NewMerger(srcs, history.ReadOptions{Lenient: opts.Lenient})
	if err != nil {
		return Series{}, nil, err
	}
	b := NewBuilder(opts)
	for _, w := range watch {
		b.Watch(string(w.Anomaly), w.Count, w.Examples)
	}
	for _, meta := range m.Metas() {
		if meta != nil {
			_ = b.Add(*meta)
		}
	}
	for m.Next() {
		_, e := m.Event()
		_ = b.Add(e)
	}
	if err := m.Err(); err != nil {
		return Series{}, nil, err
	}
	if src != nil {
		b.Place(src)
	}
	return b.Series(), b.Anomalies(), nil
}
