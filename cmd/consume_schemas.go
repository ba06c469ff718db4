package cmd

import (
	"context"

	"github.com/kq-dev/kq/consume"
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
	if err != nil || !ok {
		return sink, err
	}
	report := func(err error) { o.f.Warnf("%v", err) }
	return schemas.NewDecodingSink(ctx, sink, schemas.NewDecoder(cl), report), nil
}
