package groups

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParseTopicScope(t *testing.T) {
	good := map[string]TopicScope{
		"orders":       {Topic: "orders"},
		"orders:0":     {Topic: "orders", Partitions: []int32{0}},
		"orders:2, 0":  {Topic: "orders", Partitions: []int32{2, 0}},
		"a.b-c_d:1,11": {Topic: "a.b-c_d", Partitions: []int32{1, 11}},
	}
	for in, want := range good {
		if got, err := ParseTopicScope(in); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseTopicScope(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ":1", "t:", "t:x", "t:1,,2", "t:-1"} {
		if _, err := ParseTopicScope(bad); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseTopicScope(%q) error = %v, want a usage error", bad, err)
		}
	}
}

func TestParseStates(t *testing.T) {
	got, err := ParseStates("stable, EMPTY,preparingrebalance")
	if want := []string{StateStable, StateEmpty, StatePreparingRebalance}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseStates = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseStates("stable,sleepy"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("ParseStates(sleepy) error = %v, want a usage error", err)
	}
}
