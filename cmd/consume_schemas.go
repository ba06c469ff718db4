package cmd

import (
	"context"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/schemas"
)

// schemaSink wraps sink so that Confluent wire-format keys and values are
// decoded to JSON when a Schema Registry is configured (not for -o raw,
// which is byte-exact). Records that fail to decode are warned about on
// stderr, one line each, and printed as they are.
func (o *ConsumeOptions) schemaSink(ctx context.Context, sink consume.Sink) (consume.Sink, error) {
	if o.Output == "raw" {
		return sink, nil
	}
	cl, ok, err := o.f.Registry()
	if err != nil {
		return sink, err
	}
	if !ok {
		if o.KeyMessage != "" || o.ValueMessage != "" {
			return nil, kqerr.Usagef("--key-message and --value-message need a Schema Registry: set --schema-registry URL or KQ_SCHEMA_REGISTRY")
		}
		return sink, nil
	}
	report := func(err error) { o.f.Warnf("%v", err) }
	d := schemas.NewDecoder(cl).WithMessages(o.KeyMessage, o.ValueMessage)
	return schemas.NewDecodingSink(ctx, sink, d, report), nil
}
