package chaos

import (
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

func TestExpectsResponse(t *testing.T) {
	for _, tc := range []struct {
		acks    int16
		version int16
		want    bool
	}{{0, 3, false}, {0, 9, false}, {1, 3, true}, {-1, 9, true}} {
		req := withVersion(kmsg.NewPtrProduceRequest(), tc.version)
		req.Acks = tc.acks
		frame := reqFrame(req, 1)[4:]
		h, err := wire.ParseRequestHeader(frame)
		if err != nil {
			t.Fatal(err)
		}
		if got := expectsResponse(h, frame); got != tc.want {
			t.Errorf("acks=%d v%d: expectsResponse = %v, want %v", tc.acks, tc.version, got, tc.want)
		}
	}
}

func TestInflightDuplicateForwardsFirstOnly(t *testing.T) {
	f := newInflight()
	if err := f.add(5, &pending{key: 0, copies: 2}); err != nil {
		t.Fatal(err)
	}
	if _, fwd, ok := f.answer(5); !ok || !fwd {
		t.Fatalf("first response: forward=%v ok=%v", fwd, ok)
	}
	if _, fwd, ok := f.answer(5); !ok || fwd {
		t.Fatalf("second response: forward=%v ok=%v, want swallowed", fwd, ok)
	}
	if _, _, ok := f.answer(5); ok {
		t.Fatal("a third response still matched")
	}
}

func TestInflightBounded(t *testing.T) {
	f := newInflight()
	for i := range maxInFlight {
		if err := f.add(int32(i), &pending{copies: 1}); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	if err := f.add(-1, &pending{copies: 1}); !errors.Is(err, errTooManyInFlight) {
		t.Fatalf("add over the bound: err = %v", err)
	}
}
