package broker

import (
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func fetchReq(id, epoch int32) *kmsg.FetchRequest {
	r := kmsg.NewPtrFetchRequest()
	r.SessionID, r.SessionEpoch = id, epoch
	return r
}

func sortedPositions(ps []fetchPos) []fetchPos {
	return slices.SortedFunc(slices.Values(ps), func(a, b fetchPos) int { return int(a.tp.part - b.tp.part) })
}

func TestFetchSessionsKeepEveryPartitionsOffset(t *testing.T) {
	var s fetchSessions
	a, b, c := topicPart{"t", 0}, topicPart{"t", 1}, topicPart{"t", 2}
	open := []fetchPos{{a, 10}, {b, 20}, {c, 30}}
	if got, ok := s.positions(fetchReq(0, 0), open, nil); !ok || len(got) != 3 {
		t.Fatalf("opening request: %v, %v", got, ok)
	}
	if _, ok := s.positions(fetchReq(7, 1), nil, nil); ok {
		t.Fatal("a session never started is known")
	}
	s.started(7, open)
	got, ok := s.positions(fetchReq(7, 1), []fetchPos{{b, 25}}, []topicPart{c})
	want := []fetchPos{{a, 10}, {b, 25}}
	if !ok || !slices.Equal(sortedPositions(got), want) {
		t.Fatalf("incremental request: %v, %v; want %v", got, ok, want)
	}
	if got, ok := s.positions(fetchReq(7, 2), nil, nil); !ok || !slices.Equal(sortedPositions(got), want) {
		t.Fatalf("request listing nothing: %v, %v; want %v", got, ok, want)
	}
	if _, ok := s.positions(fetchReq(7, -1), nil, nil); !ok {
		t.Fatal("closing request")
	}
	if _, ok := s.positions(fetchReq(7, 3), nil, nil); ok {
		t.Fatal("a closed session is still known")
	}
	for id := range int32(maxSessions + 5) {
		s.started(100+id, open)
	}
	if len(s.byID) != maxSessions {
		t.Fatalf("%d sessions remembered, want at most %d", len(s.byID), maxSessions)
	}
}
