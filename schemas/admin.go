package schemas

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Admin is the registry administration behind `kq schemas`.
type Admin struct{ cl *sr.Client }

// NewAdmin returns an Admin over a registry client.
func NewAdmin(cl *sr.Client) *Admin { return &Admin{cl: cl} }

// SchemaInfo is one registered schema version.
type SchemaInfo struct {
	// Subject is the subject the version belongs to ("" when fetched by id).
	Subject string `json:"subject,omitempty"`
	// Version is the version number within the subject (0 when fetched by id).
	Version int `json:"version,omitempty"`
	// ID is the registry-wide schema id.
	ID int `json:"id"`
	// Type is AVRO, PROTOBUF or JSON.
	Type string `json:"type"`
	// Schema is the schema text.
	Schema string `json:"schema"`
	// References are the schemas this one imports.
	References []sr.SchemaReference `json:"references,omitempty"`
}

// Compatibility is the answer of a compatibility check.
type Compatibility struct {
	// Subject and Version are what the schema was checked against.
	Subject string `json:"subject"`
	// Version is the version checked against ("latest" or a number).
	Version string `json:"version"`
	// Compatible tells whether the registry accepts the schema.
	Compatible bool `json:"compatible"`
	// Messages give the registry's reasons, when it gave any.
	Messages []string `json:"messages,omitempty"`
}

func info(ss sr.SubjectSchema) SchemaInfo {
	return SchemaInfo{Subject: ss.Subject, Version: ss.Version, ID: ss.ID, Type: ss.Type.String(),
		Schema: ss.Schema.Schema, References: ss.References}
}

// Subjects lists the registry's subjects, sorted.
func (a *Admin) Subjects(ctx context.Context) ([]string, error) {
	s, err := a.cl.Subjects(ctx)
	if err != nil {
		return nil, fmt.Errorf("list subjects: %w", err)
	}
	return s, nil
}

// Versions lists a subject's versions.
func (a *Admin) Versions(ctx context.Context, subject string) ([]int, error) {
	v, err := a.cl.SubjectVersions(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("subject %s: %w", subject, err)
	}
	return v, nil
}

// Get returns a subject's version (-1: the latest).
func (a *Admin) Get(ctx context.Context, subject string, version int) (SchemaInfo, error) {
	ss, err := a.cl.SchemaByVersion(ctx, subject, version)
	if err != nil {
		return SchemaInfo{}, fmt.Errorf("subject %s: %w", subject, err)
	}
	return info(ss), nil
}

// ByID returns the schema with a registry id.
func (a *Admin) ByID(ctx context.Context, id int) (SchemaInfo, error) {
	s, err := a.cl.SchemaByID(ctx, id)
	if err != nil {
		return SchemaInfo{}, fmt.Errorf("schema id %d: %w", id, err)
	}
	return info(sr.SubjectSchema{ID: id, Schema: s}), nil
}

// Register registers s under subject after checking that it compiles, and
// returns the registered version (an existing identical version is
// returned as it is).
func (a *Admin) Register(ctx context.Context, subject string, s sr.Schema) (SchemaInfo, error) {
	if err := Validate(ctx, s, a.cl); err != nil {
		return SchemaInfo{}, fmt.Errorf("%w: invalid schema: %w", kqerr.ErrUsage, err)
	}
	ss, err := a.cl.CreateSchema(ctx, subject, s)
	if err != nil {
		return SchemaInfo{}, fmt.Errorf("register under %s: %w", subject, err)
	}
	return info(ss), nil
}

// AllVersions, as the version of [Admin.Check], checks against the
// versions the subject's compatibility level names: the latest one, or
// every one for the transitive levels.
const AllVersions = -2

// Check asks the registry whether s is compatible with a subject's version
// (-1: the latest; AllVersions) under the subject's compatibility level.
func (a *Admin) Check(ctx context.Context, subject string, version int, s sr.Schema) (Compatibility, error) {
	res, err := a.cl.CheckCompatibility(ctx, subject, version, s)
	if err != nil {
		return Compatibility{}, fmt.Errorf("check against %s: %w", subject, err)
	}
	v := "latest"
	switch {
	case version == AllVersions:
		v = "all (as its level names them)"
	case version > 0:
		v = fmt.Sprint(version)
	}
	return Compatibility{Subject: subject, Version: v, Compatible: res.Is, Messages: res.Messages}, nil
}

// Delete deletes a subject (version 0) or one version and returns the
// versions deleted; permanent deletes hard after the soft delete, as the
// registry requires.
func (a *Admin) Delete(ctx context.Context, subject string, version int, permanent bool) ([]int, error) {
	hows := []sr.DeleteHow{sr.SoftDelete}
	if permanent {
		hows = append(hows, sr.HardDelete)
	}
	var deleted []int
	for _, how := range hows {
		if version > 0 {
			if err := a.cl.DeleteSchema(ctx, subject, version, how); err != nil {
				return nil, fmt.Errorf("delete %s version %d: %w", subject, version, err)
			}
			deleted = []int{version}
			continue
		}
		v, err := a.cl.DeleteSubject(ctx, subject, how)
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", subject, err)
		}
		if len(v) > 0 {
			deleted = v
		}
	}
	return deleted, nil
}
