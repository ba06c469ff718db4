package chaos

import (
	"reflect"
	"slices"
	"testing"
)

func TestKindDescriptions(t *testing.T) {
	for _, k := range Kinds() {
		if k.Description() == "" {
			t.Errorf("kind %s has no description", k)
		}
	}
	if got := Kind("nosuch").Description(); got != "" {
		t.Errorf("unknown kind described as %q", got)
	}
	if len(kindDescriptions) != len(Kinds()) {
		t.Errorf("%d descriptions for %d kinds", len(kindDescriptions), len(Kinds()))
	}
}

// sampleValues are valid values for every parameter key.
var sampleValues = map[string]string{
	keyAPI: "produce", keyTarget: "1", keyP: "0.5", keyDelay: "1s", keyJitter: "1s",
	keyRate: "1KiB", keyCode: "7", keyCount: "2",
}

// TestParamsMatchParser checks Params against what ParseFault accepts.
func TestParamsMatchParser(t *testing.T) {
	for _, k := range Kinds() {
		var names []string
		for _, p := range k.Params() {
			names = append(names, p.Name)
		}
		for _, key := range paramOrder {
			_, err := ParseFault(string(k) + "," + key + "=" + sampleValues[key])
			if takes := slices.Contains(names, key); takes != (err == nil) {
				t.Errorf("%s: Params lists %s = %v, but ParseFault error = %v", k, key, takes, err)
			}
		}
	}
}

// TestParamDefaultsRoundTrip spells each default back through the parser
// and checks it gives the fault WithDefaults gives.
func TestParamDefaultsRoundTrip(t *testing.T) {
	words := []string{"all", "random", "none"}
	for _, k := range Kinds() {
		want := Fault{Kind: k}.WithDefaults()
		for _, p := range k.Params() {
			if slices.Contains(words, p.Default) {
				continue
			}
			f, err := ParseFault(string(k) + "," + p.Name + "=" + p.Default)
			if err != nil {
				t.Errorf("%s: default %s=%s does not parse: %v", k, p.Name, p.Default, err)
				continue
			}
			if got := f.WithDefaults(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s,%s=%s gives %+v, want %+v", k, p.Name, p.Default, got, want)
			}
		}
	}
}

func TestParamsOfSomeKinds(t *testing.T) {
	cases := map[Kind][]Param{
		Latency:        {{"api", "all"}, {"target", "all"}, {"p", "1"}, {"delay", "100ms"}, {"jitter", "0s"}},
		DropResponse:   {{"api", "produce"}, {"target", "all"}, {"p", "0.3"}},
		Bandwidth:      {{"api", "all"}, {"target", "all"}, {"rate", "64KiB"}},
		ResponseError:  {{"api", "produce"}, {"target", "all"}, {"p", "0.3"}, {"code", "REQUEST_TIMED_OUT"}},
		BrokerError:    {{"api", "produce"}, {"code", "NOT_LEADER_OR_FOLLOWER"}, {"n", "5"}},
		KillNode:       {{"target", "random"}},
		Exec:           {{"target", "none"}},
		LeaderMove:     nil,
		Kind("nosuch"): nil,
	}
	for k, want := range cases {
		if got := k.Params(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s.Params() = %v, want %v", k, got, want)
		}
	}
}

func TestRateText(t *testing.T) {
	for r, want := range map[int64]string{65536: "64KiB", 3 << 20: "3MiB", 1 << 30: "1GiB", 1500: "1500", 0: "0"} {
		if got := rateText(r); got != want {
			t.Errorf("rateText(%d) = %q, want %q", r, got, want)
		}
	}
}
