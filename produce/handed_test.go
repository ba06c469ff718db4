package produce_test

import (
	"io"
	"testing"
	"time"

	"github.com/kq-dev/kq/produce"
)

// handedSource hands over n records, each saying it was handed over at
// handed (Record.Handed).
type handedSource struct {
	n      int
	handed time.Time
}

func (s *handedSource) Next(r *produce.Record) error {
	if s.n == 0 {
		return io.EOF
	}
	s.n--
	*r = produce.Record{Value: []byte("v"), Partition: produce.AnyPartition, Handed: s.handed, Pos: produce.Position{Index: int64(10 - s.n)}}
	return nil
}

// A record's Handed time is where the producer's latency clock and a
// zero timestamp start: records handed over "an hour ago" carry that
// timestamp and an hour's latency (capped at the histogram's top).
func TestRecordHandedStartsTheClock(t *testing.T) {
	e := newEnv(t, 3)
	handed := time.Now().Add(-time.Hour) // keeps the monotonic reading
	res, rec, err := e.run(t, &handedSource{n: 10, handed: handed})
	if err != nil || res.Acked != 10 {
		t.Fatalf("acked %d, err %v", res.Acked, err)
	}
	for _, a := range rec.acks {
		if d := a.Timestamp.Sub(handed); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("ack %+v: timestamp %v, want the handed time %v", a.Pos, a.Timestamp, handed)
		}
	}
	if res.Latency.Max < 10*time.Minute-time.Second {
		t.Errorf("latency %+v, want records handed over an hour ago", res.Latency)
	}
}
