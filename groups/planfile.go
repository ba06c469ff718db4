package groups

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// PlanFormat is the format of a plan file.
type PlanFormat string

// The plan file formats, chosen by file extension.
const (
	// PlanJSON is the JSON of [Plan] (what `kq groups reset -o json`
	// prints); a bare array of entries is read too.
	PlanJSON PlanFormat = "json"
	// PlanCSV is kafka-consumer-groups' CSV: topic,partition,offset rows,
	// with an optional header row.
	PlanCSV PlanFormat = "csv"
)

// PlanFormatOf returns the format of a plan file from its extension
// (.json or .csv); another extension is a usage error.
func PlanFormatOf(path string) (PlanFormat, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return PlanJSON, nil
	case ".csv":
		return PlanCSV, nil
	}
	return "", kqerr.Usagef("plan file %s: want a .json or .csv file", path)
}

// ReadPlanFile reads the entries of a plan file written by
// [WritePlanFile], by `kq groups reset -o json`, or by
// kafka-consumer-groups --export. Only topic, partition and new offset are
// read. Malformed files are usage errors naming the file and the line or
// entry.
func ReadPlanFile(path string) ([]PlanEntry, error) {
	format, err := PlanFormatOf(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, kqerr.Usagef("plan file: %v", err)
	}
	defer f.Close()
	es, err := ReadPlan(f, format)
	if err != nil {
		return nil, kqerr.Usagef("plan file %s: %v", path, err)
	}
	return es, nil
}

// ReadPlan reads plan entries in the given format. A plan with no entry,
// a missing or negative field, or one partition twice is an error.
func ReadPlan(r io.Reader, format PlanFormat) ([]PlanEntry, error) {
	var es []PlanEntry
	var err error
	if format == PlanCSV {
		es, err = readPlanCSV(r)
	} else {
		es, err = readPlanJSON(r)
	}
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, errors.New("no entries")
	}
	seen := map[offsets.TopicPartition]bool{}
	for _, e := range es {
		if seen[e.TopicPartition] {
			return nil, fmt.Errorf("%s/%d appears twice", e.Topic, e.Partition)
		}
		seen[e.TopicPartition] = true
	}
	return es, nil
}

// planEntryJSON is an entry as read, with presence checks.
type planEntryJSON struct {
	Topic     *string `json:"topic"`
	Partition *int32  `json:"partition"`
	New       *int64  `json:"new_offset"`
}

func readPlanJSON(r io.Reader) ([]PlanEntry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var raw []planEntryJSON
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		err = json.Unmarshal(trimmed, &raw)
	} else {
		var p struct {
			Partitions []planEntryJSON `json:"partitions"`
		}
		err = json.Unmarshal(trimmed, &p)
		raw = p.Partitions
	}
	if err != nil {
		return nil, jsonError(data, err)
	}
	out := make([]PlanEntry, 0, len(raw))
	for i, e := range raw {
		if e.Topic == nil || *e.Topic == "" || e.Partition == nil || *e.Partition < 0 || e.New == nil || *e.New < 0 {
			return nil, fmt.Errorf("entry %d: want topic, partition and new_offset, all set and not negative", i+1)
		}
		out = append(out, PlanEntry{TopicPartition: offsets.TopicPartition{Topic: *e.Topic, Partition: *e.Partition}, Current: offsets.NoOffset, New: offsets.Offset(*e.New)})
	}
	return out, nil
}

// jsonError adds the line number to a JSON decoding error.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Errorf("line %d: %w", line, err)
}

func readPlanCSV(r io.Reader) ([]PlanEntry, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []PlanEntry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(out) == 0 && isHeader(rec) {
			continue
		}
		e, err := csvEntry(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, e)
	}
}

func isHeader(rec []string) bool {
	return len(rec) > 1 && strings.EqualFold(strings.TrimSpace(rec[1]), "partition")
}

func csvEntry(rec []string) (PlanEntry, error) {
	if len(rec) != 3 {
		return PlanEntry{}, fmt.Errorf("want 3 fields topic,partition,offset, got %d", len(rec))
	}
	topic := strings.TrimSpace(rec[0])
	p, err := strconv.ParseInt(strings.TrimSpace(rec[1]), 10, 32)
	if err != nil || p < 0 || topic == "" {
		return PlanEntry{}, fmt.Errorf("bad topic or partition %q,%q", rec[0], rec[1])
	}
	o, err := strconv.ParseInt(strings.TrimSpace(rec[2]), 10, 64)
	if err != nil || o < 0 {
		return PlanEntry{}, fmt.Errorf("bad offset %q", rec[2])
	}
	return PlanEntry{TopicPartition: offsets.TopicPartition{Topic: topic, Partition: int32(p)}, Current: offsets.NoOffset, New: offsets.Offset(o)}, nil
}

// WritePlanFile writes p to path in the format its extension names, so
// that --from-file reads it back.
func WritePlanFile(path string, p Plan) error {
	format, err := PlanFormatOf(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WritePlan(&buf, format, p); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write plan file: %w", err)
	}
	return nil
}

// WritePlan writes p as JSON (the whole plan) or CSV (topic,partition,offset
// rows without a header, as kafka-consumer-groups --export writes them).
func WritePlan(w io.Writer, format PlanFormat, p Plan) error {
	if format == PlanJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("write plan: %w", err)
		}
		return nil
	}
	cw := csv.NewWriter(w)
	for _, e := range p.Partitions {
		_ = cw.Write([]string{e.Topic, strconv.Itoa(int(e.Partition)), e.New.String()})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}
