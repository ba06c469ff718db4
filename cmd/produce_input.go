package cmd

import (
	"io"
	"os"
	"strings"

	"github.com/kq-dev/kq/internal/escape"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/produce"
)

// source builds the record source the flags describe and a function that
// closes the files it opened.
func (o *ProduceOptions) source(maxBytes int) (produce.Source, func(), error) {
	nop := func() {}
	if err := o.checkInputFlags(); err != nil {
		return nil, nop, err
	}
	t, err := o.template()
	if err != nil {
		return nil, nop, err
	}
	switch {
	case o.generating():
		gc := produce.GenConfig{Count: o.Gen, Size: o.Size, Seq: o.Seq, SeqProducer: o.SeqID, Template: t}
		return produce.NewGenerator(gc), nop, gc.Validate()
	case o.ValueFile != "":
		f, err := os.Open(o.ValueFile)
		if err != nil {
			return nil, nop, kqerr.Usagef("--value-file: %v", err)
		}
		return produce.NewValueSource(f, o.ValueFile, t, maxBytes), func() { f.Close() }, nil
	case o.Tombstone && o.KeySet:
		return produce.NewValueSource(nil, "", t, maxBytes), nop, nil
	}
	return o.fileSources(t, maxBytes)
}

// checkInputFlags rejects flag combinations that contradict each other.
func (o *ProduceOptions) checkInputFlags() error {
	gen := o.generating()
	switch {
	case o.Input != "text" && o.Input != "json":
		return kqerr.Usagef("unknown --input %q (want text or json)", o.Input)
	case o.KeySet && o.KeyDelimiter != "":
		return kqerr.Usagef("--key and --key-delimiter exclude each other")
	case o.Tombstone && o.KeyDelimiter != "":
		return kqerr.Usagef("--tombstone takes each record as a key: --key-delimiter does not apply")
	case o.Input == "json" && (o.KeySet || o.KeyDelimiter != "" || len(o.Headers) > 0 || o.Tombstone || o.Delimiter != "" || o.StripCR || o.cmdChanged("empty")):
		return kqerr.Usagef("--key, --key-delimiter, --header, --tombstone, --delimiter, --strip-cr and --empty do not apply to --input json")
	case o.Partition < -1:
		return kqerr.Usagef("--partition must not be negative, got %d", o.Partition)
	case o.ValueFile != "" && (len(o.Files) > 0 || gen || o.Input == "json" || o.Tombstone):
		return kqerr.Usagef("--value-file produces one record: it excludes --file, --gen, --input json and --tombstone")
	case gen && (len(o.Files) > 0 || o.Input == "json" || o.KeyDelimiter != ""):
		return kqerr.Usagef("--gen excludes --file, --input json and --key-delimiter")
	case !gen && (o.Seq || o.cmdChanged("size") || o.cmdChanged("seq-id")):
		return kqerr.Usagef("--size, --seq and --seq-id need --gen")
	}
	return nil
}

// cmdChanged reports whether a flag of the command was set.
func (o *ProduceOptions) cmdChanged(name string) bool {
	return o.changed != nil && o.changed(name)
}

// generating reports whether --gen was given.
func (o *ProduceOptions) generating() bool { return o.Gen != 0 || o.cmdChanged("gen") }

// template collects --key, --header, --partition and --tombstone.
func (o *ProduceOptions) template() (produce.Template, error) {
	t := produce.Template{Tombstone: o.Tombstone}
	if o.KeySet {
		t.Key = append([]byte{}, o.Key...)
	}
	if o.Partition >= 0 {
		p := o.Partition
		t.Partition = &p
	}
	for _, h := range o.Headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || k == "" {
			return t, kqerr.Usagef("--header %q: want key=value", h)
		}
		t.Headers = append(t.Headers, produce.Header{Key: []byte(k), Value: []byte(v)})
	}
	return t, nil
}

// fileSources reads text or JSON from the --file inputs, or stdin.
func (o *ProduceOptions) fileSources(t produce.Template, maxBytes int) (produce.Source, func(), error) {
	files := o.Files
	if len(files) == 0 {
		files = []string{"-"}
		if o.f.IO.IsStdinTTY() {
			o.f.Infof("kq produce: reading records from the terminal, one per line; Ctrl-D ends")
		}
	}
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	srcs := make([]produce.Source, 0, len(files))
	for _, name := range files {
		r, label, err := o.openInput(name, &closers)
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		src, err := o.readerSource(r, label, t, maxBytes)
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		srcs = append(srcs, src)
	}
	return produce.Concat(srcs...), closeAll, nil
}

// openInput opens one --file ("-": stdin) and returns it with its label
// for positions ("" for stdin).
func (o *ProduceOptions) openInput(name string, closers *[]io.Closer) (io.Reader, string, error) {
	if name == "-" {
		return o.f.IO.In, "", nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, "", kqerr.Usagef("--file: %v", err)
	}
	*closers = append(*closers, f)
	return f, name, nil
}

// readerSource wraps one input in the text or JSON source.
func (o *ProduceOptions) readerSource(r io.Reader, label string, t produce.Template, maxBytes int) (produce.Source, error) {
	if o.Input == "json" {
		ignore := t.Partition != nil || o.cmdChanged("partitioner") // the command line wins over the records
		return produce.NewJSONSource(r, produce.JSONConfig{Input: label, Partition: t.Partition, IgnorePartition: ignore, MaxRecordBytes: maxBytes}), nil
	}
	lc := produce.LineConfig{Input: label, Template: t, MaxRecordBytes: maxBytes, StripCR: o.StripCR}
	var err error
	if lc.Empty, err = parseFlag("empty", o.Empty, produce.ParseEmptyRecords); err != nil {
		return nil, err
	}
	if o.Delimiter != "" {
		if lc.Delimiter, err = escape.Separator("--delimiter", o.Delimiter); err != nil {
			return nil, err
		}
	}
	if o.KeyDelimiter != "" {
		if lc.KeyDelimiter, err = escape.Separator("--key-delimiter", o.KeyDelimiter); err != nil {
			return nil, err
		}
	}
	return produce.NewLineSource(r, lc), nil
}
