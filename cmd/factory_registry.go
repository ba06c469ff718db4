package cmd

import (
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/schemas"
)

// Registry returns a Schema Registry client when one is configured
// (--schema-registry, KQ_SCHEMA_REGISTRY or the profile); ok is false
// when none is.
func (f *Factory) Registry() (cl *sr.Client, ok bool, err error) {
	s, err := f.Settings()
	if err != nil {
		return nil, false, err
	}
	opts, ok, err := s.Registry()
	if err != nil || !ok {
		return nil, ok, err
	}
	cl, err = schemas.NewClient(opts)
	return cl, err == nil, err
}

// needRegistry is Registry for commands that cannot work without one.
func (f *Factory) needRegistry(what string) (*sr.Client, error) {
	cl, ok, err := f.Registry()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, kqerr.Usagef("%s needs a Schema Registry: set --schema-registry URL, KQ_SCHEMA_REGISTRY or the profile key schema-registry", what)
	}
	return cl, nil
}
