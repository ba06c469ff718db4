package conn

import (
	"slices"
	"testing"
	"time"
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
