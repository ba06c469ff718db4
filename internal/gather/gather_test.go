package gather

import (
	"slices"
	"testing"
)

func TestBufferedStopsAtMax(t *testing.T) {
	ch := make(chan int, 5)
	for i := range 5 {
		ch <- i
	}
	got := Buffered(ch, []int{9}, 3)
	if want := []int{9, 0, 1}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(ch) != 3 {
		t.Fatalf("%d left in the channel, want 3", len(ch))
	}
}

func TestBufferedStopsWhenEmptyOrClosed(t *testing.T) {
	ch := make(chan int, 4)
	ch <- 1
	if got := Buffered(ch, nil, 10); !slices.Equal(got, []int{1}) {
		t.Fatalf("empty channel: got %v, want [1]", got)
	}
	ch <- 2
	close(ch)
	if got := Buffered(ch, nil, 10); !slices.Equal(got, []int{2}) {
		t.Fatalf("closed channel: got %v, want [2]", got)
	}
}
