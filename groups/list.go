package groups

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// Summary is one line of the group list.
type Summary struct {
	// Group is the group id.
	Group string `json:"group"`
	// State is the coordinator's state for the group.
	State string `json:"state"`
	// ProtocolType is "consumer" for Kafka consumer groups.
	ProtocolType string `json:"protocol_type"`
	// Protocol is the assignor of a stable group.
	Protocol string `json:"protocol"`
	// Members counts the live members.
	Members int `json:"members"`
	// Topics are the topics the group is assigned or has committed offsets
	// for, sorted.
	Topics []string `json:"topics"`
	// TotalLag is the sum of the known partition lags ([ComputeLag]).
	TotalLag offsets.Lag `json:"total_lag"`
}

// ListOptions filter [Client.List].
type ListOptions struct {
	// States keeps the groups in one of these states; none keeps all. See
	// [ParseStates].
	States []string
	// Topic, when set, keeps the groups that are assigned or have
	// committed offsets for this topic.
	Topic string
}

// states are the group states a --state filter may name.
var states = [...]string{StateStable, StateEmpty, StateDead, StatePreparingRebalance, StateCompletingRebalance, "Assigning", "Reconciling"}

// ParseStates checks a comma-separated list of group states
// (case-insensitive) and returns them as the coordinator spells them. An
// unknown state is a usage error.
func ParseStates(list string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		i := slices.IndexFunc(states[:], func(st string) bool { return strings.EqualFold(st, s) })
		if i < 0 {
			return nil, kqerr.Usagef("unknown group state %q (want one of %s)", s, strings.Join(states[:], ", "))
		}
		out = append(out, states[i])
	}
	return out, nil
}

// List lists the consumer groups with their state, member count, topics
// and total lag, sorted by group id.
func (c *Client) List(ctx context.Context, opts ListOptions) ([]Summary, error) {
	names, err := c.admin.ListConsumerGroups()
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", c.f.Classify(err))
	}
	ids := make([]string, 0, len(names))
	for g := range names {
		ids = append(ids, g)
	}
	sort.Strings(ids)
	out := []Summary{}
	if len(ids) == 0 {
		return out, nil
	}
	raw, err := c.describeRaw(ids)
	if err != nil {
		return nil, err
	}
	for _, g := range ids {
		if r := raw[g]; r != nil && len(opts.States) > 0 && !slices.Contains(opts.States, r.State) {
			continue
		}
		d, found, err := c.describeOne(ctx, raw[g], g, DescribeOptions{})
		if err != nil {
			return nil, err
		}
		if s := summarize(d); found && (opts.Topic == "" || slices.Contains(s.Topics, opts.Topic)) {
			out = append(out, s)
		}
	}
	return out, nil
}

func summarize(d Description) Summary {
	s := Summary{Group: d.Group, State: d.State, ProtocolType: d.ProtocolType, Protocol: d.Protocol,
		Members: len(d.Members), Topics: []string{}, TotalLag: d.TotalLag}
	for _, p := range d.Partitions {
		s.Topics = append(s.Topics, p.Topic)
	}
	s.Topics = slices.Compact(s.Topics)
	return s
}
