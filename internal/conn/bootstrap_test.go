package conn

import (
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func TestCollectAnswers(t *testing.T) {
	all := []string{"a", "b", "c"}
	cases := []struct {
		name    string
		results []probeResult // sent at once; a missing one never answers
		want    []string
	}{
		{"answering ones, in answer order", []probeResult{{"c", true}, {"a", false}, {"b", true}}, []string{"c", "b"}},
		{"none answers: all, for the caller's error", []probeResult{{"a", false}, {"b", false}, {"c", false}}, all},
		{"a silent one is not waited for past the grace", []probeResult{{"b", true}}, []string{"b"}},
		{"nothing at all by the deadline: all", nil, all},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := make(chan probeResult, len(all))
			for _, r := range c.results {
				ch <- r
			}
			got := collectAnswers(ch, len(all), 200*time.Millisecond, 20*time.Millisecond, all)
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestBootstrapsProbeOnce: the clients of one factory (and its copies)
// share one probe of the bootstrap addresses; other addresses are probed
// anew.
func TestBootstrapsProbeOnce(t *testing.T) {
	probes := 0
	b := &Bootstraps{probe: func(_ *sarama.Config, addrs []string, _ time.Duration) []string {
		probes++
		return addrs[1:]
	}}
	f := Factory{Bootstraps: b}
	g := f // a copy, as verify makes one per client role
	addrs := []string{"a:1", "b:1", "c:1"}
	for _, fx := range []Factory{f, g, f} {
		if got := fx.Bootstraps.answering(nil, addrs, time.Second); !slices.Equal(got, addrs[1:]) {
			t.Fatalf("answering = %v, want %v", got, addrs[1:])
		}
	}
	if probes != 1 {
		t.Errorf("%d probes for three opens, want 1", probes)
	}
	if got := b.answering(nil, []string{"d:1", "e:1"}, time.Second); !slices.Equal(got, []string{"e:1"}) || probes != 2 {
		t.Errorf("other addresses: %v after %d probes, want [e:1] after 2", got, probes)
	}
	var none *Bootstraps // no cache: a single address is returned as is, unprobed
	if got := none.answering(nil, []string{"a:1"}, time.Second); !slices.Equal(got, []string{"a:1"}) {
		t.Errorf("nil Bootstraps = %v", got)
	}
}
