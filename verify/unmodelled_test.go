package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/chaos"
)

type lagBroker struct {
	chaos.BrokerTarget
	lag time.Duration
}

func (l lagBroker) ReplicaLag() time.Duration { return l.lag }

func TestUnmodelledRisksAreNamed(t *testing.T) {
	if got := (&run{}).unmodelled(); len(got) != 0 {
		t.Fatalf("a configured cluster got notes %q", got)
	}
	with := (&run{opts: Options{Broker: lagBroker{lag: 20 * time.Millisecond}}}).unmodelled()
	if len(with) != 1 || !strings.Contains(with[0], "power loss") {
		t.Fatalf("built-in broker with replica lag: %q", with)
	}
	without := (&run{opts: Options{Broker: lagBroker{}}}).unmodelled()
	if len(without) != 2 || !strings.Contains(without[1], "acks=1 and leader changes cannot lose anything") {
		t.Fatalf("built-in broker without replica lag: %q", without)
	}
}
