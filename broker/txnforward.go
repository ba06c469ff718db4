package broker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Completing a decided commit at start-up (see txndecide.go): the open
// part of the transaction gets commit markers instead of abort markers,
// and the consumer offsets it staged are committed to their groups where
// the group has not moved past them.

// commitsDecided moves from open to the returned map the producers whose
// last logged decision commits the very transaction open here (same
// epoch).
func commitsDecided(open map[int64]int16, decided map[int64]decision) map[int64]int16 {
	commits := map[int64]int16{}
	for pid, epoch := range open {
		if d, ok := decided[pid]; ok && d.Op == "commit" && d.Epoch == epoch {
			commits[pid] = epoch
			delete(open, pid)
		}
	}
	return commits
}

// forwardOffsets commits the offsets of every decided commit to groups
// whose committed offset is behind them (the crash came before kfake
// applied them). A group with members commits for itself: it is skipped.
func forwardOffsets(ctx context.Context, cl *kgo.Client, decided map[int64]decision) error {
	adm := kadm.NewClient(cl)
	byGroup := map[string]kadm.Offsets{}
	for _, d := range decided {
		if d.Op != "commit" {
			continue
		}
		for _, o := range d.Offsets {
			offs := byGroup[o.Group]
			meta := ""
			if o.Metadata != nil {
				meta = *o.Metadata
			}
			offs.Add(kadm.Offset{Topic: o.Topic, Partition: o.Partition, At: o.Offset, LeaderEpoch: o.LeaderEpoch, Metadata: meta})
			byGroup[o.Group] = offs
		}
	}
	for group, want := range byGroup {
		if err := forwardGroup(ctx, adm, group, want); err != nil {
			return err
		}
	}
	return nil
}

func forwardGroup(ctx context.Context, adm *kadm.Client, group string, want kadm.Offsets) error {
	have, err := adm.FetchOffsets(ctx, group)
	switch {
	case errors.Is(err, kerr.GroupIDNotFound): // no offsets yet
	case err != nil:
		return fmt.Errorf("offsets of group %s: %w", group, err)
	}
	var behind kadm.Offsets
	want.Each(func(o kadm.Offset) {
		if h, ok := have.Lookup(o.Topic, o.Partition); !ok || h.Err != nil || h.At < o.At {
			behind.Add(o)
		}
	})
	if len(behind) == 0 {
		return nil
	}
	resp, err := adm.CommitOffsets(ctx, group, behind)
	if err != nil {
		return fmt.Errorf("commit offsets of group %s: %w", group, err)
	}
	var errs []error
	resp.Each(func(r kadm.OffsetResponse) {
		if r.Err != nil && !errors.Is(r.Err, kerr.IllegalGeneration) && !errors.Is(r.Err, kerr.UnknownMemberID) {
			errs = append(errs, fmt.Errorf("commit offset of group %s for %s/%d: %w", group, r.Topic, r.Partition, r.Err))
		}
	})
	return errors.Join(errs...)
}

// dropSnapshots removes the snapshot of each partition where a commit was
// completed: kfake's replay of the crash had noted the open transaction
// as aborted in its abort index, which the snapshot would keep; without
// it the next load replays the log, where the commit marker now is.
func dropSnapshots(dataDir string, parts []partitionRef) error {
	for _, p := range parts {
		dir := filepath.Join(dataDir, "partitions", url.PathEscape(p.topic)+"-"+strconv.Itoa(int(p.part)))
		if err := os.Remove(filepath.Join(dir, "snapshot.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
