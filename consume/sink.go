package consume

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/record"
)

// Sink receives the records a run delivers. [Run] calls it from one
// goroutine at a time, in offset order within each partition.
type Sink interface {
	// Write writes one record. It may buffer, but m and the bytes it
	// points to are only valid during the call: a sink copies what it
	// keeps.
	Write(m *sarama.ConsumerMessage) error
	// Flush writes out everything buffered. Run calls it whenever no
	// further record is immediately waiting, before it commits offsets in
	// group mode, and at the end.
	Flush() error
}

// sinkBufferSize is the output buffer of every sink.
const sinkBufferSize = 64 << 10

// NewTemplateSink returns a sink that writes each record rendered by t.
func NewTemplateSink(w io.Writer, t *Template) Sink {
	return &templateSink{w: bufio.NewWriterSize(w, sinkBufferSize), t: t}
}

type templateSink struct {
	w *bufio.Writer
	t *Template
}

func (s *templateSink) Write(m *sarama.ConsumerMessage) error {
	_, err := s.w.Write(s.t.Append(s.w.AvailableBuffer(), m))
	return err
}

func (s *templateSink) Flush() error { return s.w.Flush() }

// NewRawSink returns a sink that writes values only, byte for byte, with
// nothing between them (null values write nothing).
func NewRawSink(w io.Writer) Sink {
	return &rawSink{w: bufio.NewWriterSize(w, sinkBufferSize)}
}

type rawSink struct{ w *bufio.Writer }

func (s *rawSink) Write(m *sarama.ConsumerMessage) error {
	_, err := s.w.Write(m.Value)
	return err
}

func (s *rawSink) Flush() error { return s.w.Flush() }

// NewJSONSink returns a sink that writes each record as one line of kq's
// JSON record form (package internal/record), which `kq produce --input
// json` reads back.
func NewJSONSink(w io.Writer) Sink {
	bw := bufio.NewWriterSize(w, sinkBufferSize)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // values print as they are: <, > and & stay
	return &jsonSink{w: bw, enc: enc}
}

type jsonSink struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func (s *jsonSink) Write(m *sarama.ConsumerMessage) error {
	r := ToRecord(m)
	if err := s.enc.Encode(&r); err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	return nil
}

func (s *jsonSink) Flush() error { return s.w.Flush() }

// ToRecord converts a consumed message to kq's JSON record form: topic,
// partition, offset, timestamp (unix ms, absent when the record has none),
// key, value and headers, with nulls kept and non-UTF-8 data in base64.
func ToRecord(m *sarama.ConsumerMessage) record.Record {
	p, o := m.Partition, m.Offset
	r := record.Record{Topic: m.Topic, Partition: &p, Offset: &o}
	if ts := timestampMillis(m); ts >= 0 {
		r.Timestamp = &ts
	}
	r.SetKey(m.Key)
	r.SetValue(m.Value)
	for _, h := range m.Headers {
		r.AddHeader(h.Key, h.Value)
	}
	return r
}
