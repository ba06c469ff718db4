package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kgo"
)

// jsonRecord is a record in kq's JSON form, reduced to what the suite
// compares: key, value and headers (all UTF-8 text here; nil is null).
type jsonRecord struct {
	Headers []jsonHeader `json:"headers"`
	Key     *string      `json:"key"`
	Value   *string      `json:"value"`
}

type jsonHeader struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

func text(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// writeRecord prints r as one line of kq's JSON form.
func writeRecord(w io.Writer, r *kgo.Record) error {
	j := jsonRecord{Key: text(r.Key), Value: text(r.Value), Headers: []jsonHeader{}}
	for _, h := range r.Headers {
		j.Headers = append(j.Headers, jsonHeader{Key: h.Key, Value: text(h.Value)})
	}
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// makeRecords returns the records of one transaction.
func makeRecords(topic, prefix string, n int) []*kgo.Record {
	out := make([]*kgo.Record, 0, n)
	for i := range n {
		out = append(out, &kgo.Record{
			Topic: topic,
			Key:   fmt.Appendf(nil, "%s-k%d", prefix, i),
			Value: fmt.Appendf(nil, "%s-v%d \u00e9\u00e8 \u2713", prefix, i),
			Headers: []kgo.RecordHeader{
				{Key: "src", Value: []byte("franz-go")},
				{Key: "i", Value: fmt.Appendf(nil, "%d", i)},
			},
		})
	}
	return out
}
