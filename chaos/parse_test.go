package chaos

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParseFaults(t *testing.T) {
	got, err := ParseFaults("drop-response,api=produce,p=0.3, latency,delay=200ms,jitter=50ms,api=fetch+Metadata,kill-node,target=2,bandwidth,rate=1MiB/s,partition,target=127.0.0.1:9093,response-error,code=not_enough_replicas_after_append,broker-error,api=init-producer-id,n=3,code=7")
	if err != nil {
		t.Fatal(err)
	}
	want := []Fault{
		{Kind: DropResponse, APIs: []int16{0}, Probability: 0.3},
		{Kind: Latency, Delay: 200 * time.Millisecond, Jitter: 50 * time.Millisecond, APIs: []int16{1, 3}},
		{Kind: KillNode, Target: "2"},
		{Kind: Bandwidth, Rate: 1 << 20},
		{Kind: Partition, Target: "127.0.0.1:9093"},
		{Kind: ResponseError, ErrorCode: 20},
		{Kind: BrokerError, APIs: []int16{22}, Count: 3, ErrorCode: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseFaultsErrors(t *testing.T) {
	for _, s := range []string{
		"", "nosuch", "p=0.5,reset", "reset,,latency", "reset,p=0", "reset,p=1.5", "reset,p=x",
		"latency,delay=soon", "latency,jitter=1000000h", "reset,delay=1s", "partition,api=produce", "bandwidth,rate=fast",
		"drop-response,api=nosuch", "response-error,code=NO_SUCH_ERROR", "response-error,api=fetch",
		"response-error,code=INVALID_RECORD", "response-error,code=NOT_ENOUGH_REPLICAS",
		"kill-node,target=127.0.0.1:9092", "reset,target=nohostport", "broker-error,n=0", "leader-move,target=1",
	} {
		_, err := ParseFaults(s)
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseFaults(%q) err = %v, want a usage error", s, err)
		}
	}
}

func TestFaultStringRoundTrips(t *testing.T) {
	for _, s := range []string{
		"latency,api=produce+find-coordinator,target=1,p=0.5,delay=200ms,jitter=50ms",
		"broker-error,api=produce,code=NOT_LEADER_OR_FOLLOWER,n=3",
		"bandwidth,target=localhost:9092,rate=65536",
		"crash-producer",
	} {
		f, err := ParseFault(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := f.String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
	}
}

func TestFaultJSONRoundTrips(t *testing.T) {
	f := Fault{Kind: ResponseError, APIs: []int16{0}, Target: "2", Probability: 0.25, ErrorCode: 7}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"response-error","apis":["produce"],"target":"2","probability":0.25,"error_code":"REQUEST_TIMED_OUT"}`
	if string(b) != want {
		t.Fatalf("json = %s\nwant   %s", b, want)
	}
	var back Fault
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, f) {
		t.Fatalf("round trip = %+v, want %+v", back, f)
	}
	if err := json.Unmarshal([]byte(`{"kind":"reset","delay":"1s"}`), &back); !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("invalid fault json: err = %v, want usage error", err)
	}
}

func TestWithDefaults(t *testing.T) {
	f := Fault{Kind: DropResponse}.WithDefaults()
	if f.Probability != 0.3 || !reflect.DeepEqual(f.APIs, []int16{0}) {
		t.Fatalf("drop-response defaults = %+v", f)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	for _, k := range Kinds() {
		if err := (Fault{Kind: k}).WithDefaults().Validate(); err != nil {
			t.Errorf("%s with defaults: %v", k, err)
		}
	}
	if l := (Fault{Kind: Latency}).WithDefaults(); l.Delay != 100*time.Millisecond || l.Probability != 1 || l.APIs != nil {
		t.Fatalf("latency defaults = %+v", l)
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]int64{"500": 500, "64KiB": 65536, "1MB/s": 1e6, "2gib": 2 << 30, "10k": 10000} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "1.5MB", "5TB", "99999999999999999999"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

func TestNames(t *testing.T) {
	if APIName(10) != "find-coordinator" || APIName(0) != "produce" || APIName(-5) != "-5" {
		t.Fatalf("APIName: %q %q %q", APIName(10), APIName(0), APIName(-5))
	}
	for _, s := range []string{"FindCoordinator", "find_coordinator", "find-coordinator", "10"} {
		if k, err := ParseAPI(s); err != nil || k != 10 {
			t.Errorf("ParseAPI(%q) = %d, %v", s, k, err)
		}
	}
	if c, err := ParseErrorCode("NOT_LEADER_OR_FOLLOWER"); err != nil || c != 6 || ErrorName(6) != "NOT_LEADER_OR_FOLLOWER" {
		t.Fatalf("NOT_LEADER_OR_FOLLOWER: %d %v %q", c, err, ErrorName(6))
	}
	if c, err := ParseErrorCode("coordinator-not-available"); err != nil || c != 15 {
		t.Fatalf("coordinator-not-available = %d, %v", c, err)
	}
}
