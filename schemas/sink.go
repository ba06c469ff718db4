package schemas

import (
	"context"
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/kqerr"
)

// NewDecodingSink returns a sink that decodes wire-format keys and values
// to JSON text before handing records to next. Records not in wire format
// pass through unchanged; a record that cannot be decoded is reported to
// report (topic/partition@offset and the cause) and passed through as it
// is, so one bad record never stops a run. A registry that cannot be
// reached stops it, with an error matching kqerr.ErrUnreachable.
func NewDecodingSink(ctx context.Context, next consume.Sink, d *Decoder, report func(error)) consume.Sink {
	return &decodingSink{ctx: ctx, next: next, d: d, report: report}
}

type decodingSink struct {
	ctx    context.Context
	next   consume.Sink
	d      *Decoder
	report func(error)
}

func (s *decodingSink) Write(m *sarama.ConsumerMessage) error {
	if !IsWireFormat(m.Key) && !IsWireFormat(m.Value) {
		return s.next.Write(m)
	}
	c := *m
	var err error
	if c.Key, err = s.field(m, "key", m.Key, s.d.keyMessage); err != nil {
		return err
	}
	if c.Value, err = s.field(m, "value", m.Value, s.d.valueMessage); err != nil {
		return err
	}
	return s.next.Write(&c)
}

// field decodes one key or value, reporting a failure and keeping b. An
// unreachable registry is no fault of the record: it ends the run.
func (s *decodingSink) field(m *sarama.ConsumerMessage, what string, b []byte, message string) ([]byte, error) {
	out, ok, err := s.d.DecodeMessage(s.ctx, b, message)
	if errors.Is(err, kqerr.ErrUnreachable) {
		return nil, err
	}
	if err != nil {
		if s.report != nil {
			s.report(fmt.Errorf("%s/%d@%d: %s not decoded: %w", m.Topic, m.Partition, m.Offset, what, err))
		}
		return b, nil
	}
	if !ok {
		return b, nil
	}
	return out, nil
}

func (s *decodingSink) Flush() error { return s.next.Flush() }
