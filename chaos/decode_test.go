package chaos

import (
	"errors"
	"testing"
	"time"
)

// stuckMsg never finishes decoding until released.
type stuckMsg struct{ release chan struct{} }

func (m stuckMsg) ReadFrom([]byte) error { <-m.release; return nil }

func TestDecodeBoundedGivesUp(t *testing.T) {
	m := stuckMsg{release: make(chan struct{})}
	defer close(m.release)
	if err := decodeBounded(m, nil, 20*time.Millisecond); !errors.Is(err, errDecodeTimeout) {
		t.Fatalf("err = %v, want errDecodeTimeout", err)
	}
}

func TestDecodeBoundedPassesErrors(t *testing.T) {
	m := stuckMsg{release: make(chan struct{})}
	close(m.release)
	if err := decodeBounded(m, nil, time.Minute); err != nil {
		t.Fatalf("err = %v", err)
	}
}
