package produce

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/seqmsg"
)

// GenConfig configures a [NewGenerator].
type GenConfig struct {
	// Count is the number of records to generate.
	Count int64
	// Size is the size of every value in bytes. With Seq a value is never
	// shorter than its sequence header (at most seqmsg.MinSize bytes).
	Size int
	// Seq writes seqmsg values (producer id, sequence number from 0,
	// checksum) that `kq verify` can check.
	Seq bool
	// SeqProducer is the producer id written into Seq values.
	SeqProducer uint32
	// Template adds a fixed key, headers and partition.
	Template Template
}

// Validate checks the generator settings.
func (c GenConfig) Validate() error {
	switch {
	case c.Count < 1:
		return kqerr.Settingf("{gen} must be at least 1, got %d", c.Count)
	case c.Size < 0:
		return kqerr.Settingf("{size} must not be negative, got %d", c.Size)
	case c.Template.Tombstone:
		return kqerr.Settingf("{tombstone} does not go with {gen}")
	}
	return nil
}

// NewGenerator returns a source of c.Count generated records. Without Seq a
// value is the record's 0-based number in decimal followed by letters up to
// Size; both kinds are printable ASCII.
func NewGenerator(c GenConfig) Source {
	pad := make([]byte, c.Size+26)
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	return &generator{c: c, pad: pad, buf: make([]byte, 0, max(c.Size, seqmsg.MinSize))}
}

type generator struct {
	c   GenConfig
	n   int64
	pad []byte
	buf []byte
}

// Next implements [Source].
func (g *generator) Next(r *Record) error {
	if g.n >= g.c.Count {
		return io.EOF
	}
	i := g.n
	g.n++
	if g.c.Seq {
		g.buf = seqmsg.Encode(g.buf[:0], seqmsg.Value{Producer: g.c.SeqProducer, Seq: uint64(i)}, g.c.Size)
	} else {
		g.buf = g.plain(i)
	}
	t := &g.c.Template
	*r = Record{Key: t.Key, Value: g.buf, Headers: t.Headers, Partition: t.partition(), Pos: Position{Index: g.n}}
	return nil
}

// plain writes record i's value: its number, a space, then letters.
func (g *generator) plain(i int64) []byte {
	b := append(g.buf[:0], g.pad[i%26:][:g.c.Size]...)
	var num [20]byte
	digits := strconv.AppendInt(num[:0], i, 10)
	if len(digits) < len(b) {
		n := copy(b, digits)
		b[n] = ' '
	} else {
		copy(b, digits)
	}
	return b
}

// NewValueSource returns a source of exactly one record whose value is all
// of r (a binary file, for instance); the key, headers and partition come
// from t. With t.Tombstone, r is not read (it may be nil) and the value is
// null. A value over maxBytes is an [*InputError].
func NewValueSource(r io.Reader, input string, t Template, maxBytes int) Source {
	return &valueSource{r: r, input: input, t: t, max: maxBytes}
}

type valueSource struct {
	r     io.Reader
	input string
	t     Template
	max   int
	done  bool
}

// Next implements [Source].
func (s *valueSource) Next(r *Record) error {
	if s.done {
		return io.EOF
	}
	s.done = true
	pos := Position{Input: s.input, Index: 1}
	*r = Record{Key: s.t.Key, Headers: s.t.Headers, Partition: s.t.partition(), Pos: pos}
	if s.t.Tombstone {
		return nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(s.r, int64(s.max)+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", s.input, err)
	}
	if n > int64(s.max) {
		return &InputError{Pos: pos, Err: tooLarge(-1, s.max)} // read only up to the limit
	}
	r.Value = buf.Bytes()
	if r.Value == nil {
		r.Value = []byte{}
	}
	return nil
}
