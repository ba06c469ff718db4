package schemas

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
)

// registryWriter is what [ResolveEncoder] needs of a registry client.
type registryWriter interface {
	registryReader
	CreateSchema(ctx context.Context, subject string, s sr.Schema) (sr.SubjectSchema, error)
}

// Encoder validates JSON text against one registered schema and encodes it
// to the wire format.
type Encoder struct {
	// ID is the schema id written into every record.
	ID int
	// Type is the schema's type.
	Type  sr.SchemaType
	codec codec
}

// Encode validates text and returns the wire-format bytes.
func (e *Encoder) Encode(text []byte) ([]byte, error) {
	payload, index, err := e.codec.encode(text)
	if err != nil {
		return nil, err
	}
	out, _ := wire.AppendEncode(make([]byte, 0, 6+len(payload)), e.ID, index)
	return append(out, payload...), nil
}

// UseMessage makes a Protobuf encoder encode the message named (pkg.Msg,
// or Msg within the file's package; nested ones as Outer.Inner) instead
// of the file's first, writing its Confluent message-index path. It is a
// usage error for another schema type or a name the schema lacks.
func (e *Encoder) UseMessage(name string) error {
	pc, ok := e.codec.(*protoCodec)
	if !ok {
		return kqerr.Usagef("a message name is for Protobuf schemas; schema id %d is %s", e.ID, e.Type)
	}
	return pc.choose(name)
}

// ResolveEncoder builds the encoder that spec names: a schema id (all
// digits), a schema file (.avsc, .proto or .json; registered under
// subject, as Confluent's serializers auto-register), or a subject whose
// latest version is used.
func ResolveEncoder(ctx context.Context, reg registryWriter, spec, subject string) (*Encoder, error) {
	if id, err := strconv.Atoi(spec); err == nil && id > 0 {
		s, err := reg.SchemaByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("schema id %d: %w", id, err)
		}
		return newEncoder(ctx, reg, id, s)
	}
	if st, err := os.Stat(spec); err == nil && !st.IsDir() {
		return encoderFromFile(ctx, reg, spec, subject)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("schema file: %w", err)
	}
	ss, err := reg.SchemaByVersion(ctx, spec, -1)
	if err != nil {
		return nil, fmt.Errorf("subject %s (not a schema id or file either): %w", spec, err)
	}
	return newEncoder(ctx, reg, ss.ID, ss.Schema)
}

// encoderFromFile reads a schema file, registers it under subject and
// returns its encoder.
func encoderFromFile(ctx context.Context, reg registryWriter, path, subject string) (*Encoder, error) {
	s, err := ReadSchemaFile(path, "")
	if err != nil {
		return nil, err
	}
	// Build the codec first: a schema that does not compile is reported
	// as such, before the registry sees it.
	if err := Validate(ctx, s, reg); err != nil {
		return nil, fmt.Errorf("%w: %s: invalid schema: %w", kqerr.ErrUsage, path, err)
	}
	ss, err := reg.CreateSchema(ctx, subject, s)
	if err != nil {
		return nil, fmt.Errorf("register %s under %s: %w", path, subject, err)
	}
	return newEncoder(ctx, reg, ss.ID, s)
}

// ReadSchemaFile reads a schema file; typ is "avro", "protobuf" or "json",
// or "" to take it from the file's extension.
func ReadSchemaFile(path, typ string) (sr.Schema, error) {
	var t sr.SchemaType
	if typ != "" {
		var err error
		if t, err = ParseType(typ); err != nil {
			return sr.Schema{}, fmt.Errorf("%w: %w", kqerr.ErrUsage, err)
		}
	} else {
		var ok bool
		if t, ok = TypeFromFile(path); !ok {
			return sr.Schema{}, kqerr.Usagef("schema file %s: cannot tell its type from the name (want .avsc, .proto or .json)", path)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return sr.Schema{}, kqerr.Usagef("schema file: %v", err)
	}
	return sr.Schema{Schema: strings.TrimSpace(string(b)), Type: t}, nil
}

func newEncoder(ctx context.Context, reg registryReader, id int, s sr.Schema) (*Encoder, error) {
	c, err := newCodec(ctx, s, reg)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	return &Encoder{ID: id, Type: s.Type, codec: c}, nil
}
