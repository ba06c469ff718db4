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
	return &templateSink{out: newOutBuffer(w), t: t}
}

type templateSink struct {
	out *outBuffer
	t   *Template
}

func (s *templateSink) Write(m *sarama.ConsumerMessage) error {
	s.out.buf = s.t.Append(s.out.buf, m)
	return s.out.wrote()
}

func (s *templateSink) Flush() error { return s.out.flush() }

// NewRawSink returns a sink that writes values only, byte for byte, with
// nothing between them (null values write nothing).
func NewRawSink(w io.Writer) Sink {
	return &rawSink{out: newOutBuffer(w)}
}

type rawSink struct{ out *outBuffer }

func (s *rawSink) Write(m *sarama.ConsumerMessage) error {
	s.out.buf = append(s.out.buf, m.Value...)
	return s.out.wrote()
}

func (s *rawSink) Flush() error { return s.out.flush() }

// outBuffer is the output buffer of the template and raw sinks: records
// are rendered straight into it (with bufio, rendering into
// AvailableBuffer costs a second copy of every byte in Write) and it is
// written out once it holds sinkBufferSize bytes.
type outBuffer struct {
	w   io.Writer
	buf []byte
	err error
}

func newOutBuffer(w io.Writer) *outBuffer {
	return &outBuffer{w: w, buf: make([]byte, 0, sinkBufferSize)}
}

// wrote flushes after a record when the buffer is full.
func (o *outBuffer) wrote() error {
	if len(o.buf) < sinkBufferSize {
		return o.err
	}
	return o.flush()
}

func (o *outBuffer) flush() error {
	if o.err != nil {
		return o.err
	}
	if len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
		if cap(o.buf) > 2*sinkBufferSize {
			o.buf = make([]byte, 0, sinkBufferSize) // after one large record
		}
		o.buf = o.buf[:0]
	}
	return o.err
}

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
