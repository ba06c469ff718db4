package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/setting"
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
	builtIn := func(lag time.Duration, acks setting.Acks) []string {
		var notes []string
		for _, n := range (&run{opts: Options{Broker: lagBroker{lag: lag}}, set: Settings{Client: Client{Acks: acks}}}).unmodelled() {
			notes = append(notes, n.String())
		}
		return notes
	}
	with := builtIn(20*time.Millisecond, setting.AcksAll)
	if len(with) != 1 || !strings.Contains(with[0], "power loss") {
		t.Fatalf("built-in broker with replica lag, acks=all: %q", with)
	}
	leader := builtIn(20*time.Millisecond, setting.AcksLeader)
	if len(leader) != 2 || !strings.Contains(leader[1], "cannot show offset conflicts after a leader change") {
		t.Fatalf("built-in broker with replica lag, acks=1: %q", leader)
	}
	without := builtIn(0, setting.AcksAll)
	if len(without) != 2 || !strings.Contains(without[1], "acks=1 and leader changes cannot lose anything") {
		t.Fatalf("built-in broker without replica lag: %q", without)
	}
}
