package produce

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// readBufferSize is the read buffer of text and JSON input: large reads, and
// records up to this size come back without a copy.
const readBufferSize = 1 << 20

// splitter cuts a stream into records at a delimiter of one or more bytes,
// without copying records that fit in its read buffer. Records longer than
// max are skipped (their size is reported) without being kept in memory.
type splitter struct {
	r     *bufio.Reader
	delim []byte
	max   int

	buf  []byte // the record so far, when it spans reads
	size int    // bytes of the record so far, delimiter included
}

func newSplitter(r io.Reader, delim []byte, max int) *splitter {
	if len(delim) == 0 {
		delim = []byte{'\n'}
	}
	return &splitter{r: bufio.NewReaderSize(r, readBufferSize), delim: delim, max: max}
}

// next returns the next record without its delimiter. It returns io.EOF
// at the end of input, and an error wrapping errTooLarge (with the record
// skipped) for a record over max. The slice is valid until the next call.
func (s *splitter) next() ([]byte, error) {
	s.buf, s.size = s.buf[:0], 0
	last := s.delim[len(s.delim)-1]
	for {
		chunk, err := s.r.ReadSlice(last)
		if s.size == 0 && err == nil && bytes.HasSuffix(chunk, s.delim) {
			rec := chunk[:len(chunk)-len(s.delim)]
			if len(rec) > s.max {
				return nil, tooLarge(len(rec), s.max)
			}
			return rec, nil
		}
		s.keep(chunk)
		switch {
		case err == nil && bytes.HasSuffix(s.buf, s.delim):
			return s.record(len(s.delim))
		case errors.Is(err, io.EOF):
			if s.size == 0 {
				return nil, io.EOF
			}
			return s.record(0)
		case err != nil && !errors.Is(err, bufio.ErrBufferFull):
			return nil, fmt.Errorf("read input: %w", err)
		}
	}
}

// keep adds chunk to the record so far. Past max it only keeps enough of
// the end to recognise the delimiter.
func (s *splitter) keep(chunk []byte) {
	s.size += len(chunk)
	s.buf = append(s.buf, chunk...)
	if s.size > s.max+len(s.delim) && len(s.buf) > len(s.delim) {
		n := copy(s.buf, s.buf[len(s.buf)-len(s.delim):])
		s.buf = s.buf[:n]
	}
}

// record returns the record so far minus a delimiter of n bytes.
func (s *splitter) record(n int) ([]byte, error) {
	size := s.size - n
	if size > s.max {
		return nil, tooLarge(size, s.max)
	}
	return s.buf[:len(s.buf)-n], nil
}
