package schemareg

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/schemas"
)

// handleRegister validates a schema and checks it against the subject's
// compatibility level before the registry stores it.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, 41301, "request body too large")
		return
	}
	var cand sr.Schema
	if err := json.Unmarshal(body, &cand); err != nil {
		writeError(w, http.StatusUnprocessableEntity, 42201, "invalid schema: "+err.Error())
		return
	}
	subject := r.PathValue("subject")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.journalOK(w) {
		return
	}
	if err := schemas.Validate(r.Context(), cand, s); err != nil {
		writeError(w, http.StatusUnprocessableEntity, 42201, "invalid schema: "+err.Error())
		return
	}
	ok, msgs, err := s.compatible(subject, "", cand)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 50001, err.Error())
		return
	}
	if !ok {
		writeError(w, http.StatusConflict, 409, fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q: %v", subject, msgs))
		return
	}
	s.apply(w, r, body, s.reg.Handler())
}

// handleCompat answers POST /compatibility/subjects/{subject}/versions[/{version}].
func (s *Server) handleCompat(w http.ResponseWriter, r *http.Request) {
	var cand sr.Schema
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&cand); err != nil {
		writeError(w, http.StatusUnprocessableEntity, 42201, "invalid schema: "+err.Error())
		return
	}
	if err := schemas.Validate(r.Context(), cand, s); err != nil {
		writeError(w, http.StatusUnprocessableEntity, 42201, "invalid schema: "+err.Error())
		return
	}
	subject, version := r.PathValue("subject"), r.PathValue("version")
	if version != "" {
		var ss sr.SubjectSchema
		if code, err := s.get(versionPath(subject, version), &ss); err != nil {
			writeError(w, code, 40402, err.Error())
			return
		}
	}
	ok, msgs, err := s.compatible(subject, version, cand)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 50001, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"is_compatible": ok, "messages": msgs})
}

// compatible checks cand against the subject's versions under its
// compatibility level: against version when given, else the latest, or
// every version for the transitive levels.
func (s *Server) compatible(subject, version string, cand sr.Schema) (bool, []string, error) {
	var cfg struct {
		Level sr.CompatibilityLevel `json:"compatibilityLevel"`
	}
	if _, err := s.get("/config/"+url.PathEscape(subject)+"?defaultToGlobal=true", &cfg); err != nil {
		return false, nil, err
	}
	if cfg.Level == sr.CompatNone {
		return true, nil, nil
	}
	olds, err := s.against(subject, version, cfg.Level)
	if err != nil {
		return false, nil, err
	}
	var msgs []string
	for _, old := range olds {
		msgs = append(msgs, s.compare(cfg.Level, old, cand)...)
	}
	return len(msgs) == 0, msgs, nil
}

// against lists the versions a check compares with.
func (s *Server) against(subject, version string, level sr.CompatibilityLevel) ([]sr.SubjectSchema, error) {
	if version == "" && !isTransitive(level) {
		version = "latest"
	}
	if version != "" {
		var ss sr.SubjectSchema
		if code, err := s.get(versionPath(subject, version), &ss); err != nil {
			if code == http.StatusNotFound {
				return nil, nil // nothing registered yet: anything goes
			}
			return nil, err
		}
		return []sr.SubjectSchema{ss}, nil
	}
	var versions []int
	if code, err := s.get("/subjects/"+url.PathEscape(subject)+"/versions", &versions); err != nil {
		if code == http.StatusNotFound {
			return nil, nil
		}
		return nil, err
	}
	out := make([]sr.SubjectSchema, 0, len(versions))
	for _, v := range versions {
		var ss sr.SubjectSchema
		if _, err := s.get(versionPath(subject, strconv.Itoa(v)), &ss); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, nil
}

// compare returns why cand is not compatible with old under level (none
// when it is): BACKWARD needs the new schema to read what old wrote,
// FORWARD old to read what the new one writes, FULL both.
func (s *Server) compare(level sr.CompatibilityLevel, old sr.SubjectSchema, cand sr.Schema) []string {
	if old.Type != cand.Type {
		return []string{fmt.Sprintf("version %d is %s, the new schema %s", old.Version, old.Type, cand.Type)}
	}
	ctx := context.Background()
	newS, err := s.parse(ctx, cand)
	if err != nil {
		return []string{err.Error()}
	}
	oldS, err := s.parse(ctx, old.Schema)
	if err != nil {
		return []string{fmt.Sprintf("version %d: %v", old.Version, err)}
	}
	var msgs []string
	if isBackward(level) {
		for _, p := range newS.cannotRead(oldS) {
			msgs = append(msgs, fmt.Sprintf("the new schema cannot read version %d: %s", old.Version, p))
		}
	}
	if isForward(level) {
		for _, p := range oldS.cannotRead(newS) {
			msgs = append(msgs, fmt.Sprintf("version %d cannot read the new schema: %s", old.Version, p))
		}
	}
	return msgs
}

// reader is a parsed schema that can say why it cannot read what another
// of its type wrote.
type reader interface {
	// cannotRead returns the reasons (none when it can read all of it).
	cannotRead(writer reader) []string
}

// parse parses a schema for compatibility checks.
func (s *Server) parse(ctx context.Context, sch sr.Schema) (reader, error) {
	switch sch.Type {
	case sr.TypeAvro:
		a, err := schemas.ParseAvro(ctx, sch, s)
		return avroReader{a}, err
	case sr.TypeProtobuf:
		fd, err := schemas.ParseProto(ctx, sch, s)
		return protoReader{fd}, err
	}
	return newJSONReader(sch.Schema)
}

// avroReader checks Avro with hamba/avro's schema compatibility.
type avroReader struct{ s avro.Schema }

func (r avroReader) cannotRead(w reader) []string {
	if err := avro.NewSchemaCompatibility().Compatible(r.s, w.(avroReader).s); err != nil {
		return []string{err.Error()}
	}
	return nil
}

func isBackward(l sr.CompatibilityLevel) bool {
	return l == sr.CompatBackward || l == sr.CompatBackwardTransitive || l == sr.CompatFull || l == sr.CompatFullTransitive
}

func isForward(l sr.CompatibilityLevel) bool {
	return l == sr.CompatForward || l == sr.CompatForwardTransitive || l == sr.CompatFull || l == sr.CompatFullTransitive
}

func isTransitive(l sr.CompatibilityLevel) bool {
	return l == sr.CompatBackwardTransitive || l == sr.CompatForwardTransitive || l == sr.CompatFullTransitive
}

func versionPath(subject, version string) string {
	return "/subjects/" + url.PathEscape(subject) + "/versions/" + url.PathEscape(version)
}

// SchemaByVersion reads a subject's version from the registry: the
// reference resolver of schema validation.
func (s *Server) SchemaByVersion(_ context.Context, subject string, version int) (sr.SubjectSchema, error) {
	v := strconv.Itoa(version)
	if version < 0 {
		v = "latest"
	}
	var ss sr.SubjectSchema
	if _, err := s.get(versionPath(subject, v), &ss); err != nil {
		return sr.SubjectSchema{}, err
	}
	return ss, nil
}

// get reads path from the registry's own handler into into, returning the
// status code and an error for a non-200 answer.
func (s *Server) get(path string, into any) (int, error) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	s.reg.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return rec.Code, fmt.Errorf("%s: %d %s", path, rec.Code, e.Message)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
		return rec.Code, fmt.Errorf("%s: %w", path, err)
	}
	return rec.Code, nil
}
