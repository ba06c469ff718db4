package cmd

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/produce"
	"github.com/kq-dev/kq/schemas"
)

// addProduceSchemaFlags adds --value-schema and --key-schema.
func addProduceSchemaFlags(c *cobra.Command, o *ProduceOptions) {
	fl := c.Flags()
	fl.StringVar(&o.ValueSchema, "value-schema", "", "encode JSON values with this schema: SUBJECT (latest version), ID, or FILE (.avsc/.proto/.json, registered as TOPIC-value)")
	fl.StringVar(&o.KeySchema, "key-schema", "", "encode JSON keys with this schema: SUBJECT, ID, or FILE (registered as TOPIC-key)")
	fl.StringVar(&o.ValueMessage, "value-message", "", "with a Protobuf --value-schema: encode this message (pkg.Msg or Outer.Inner) instead of the file's first")
	fl.StringVar(&o.KeyMessage, "key-message", "", "with a Protobuf --key-schema: encode this message instead of the file's first")
}

// schemaSource wraps src so that keys and values are validated and encoded
// to the Confluent wire format as --key-schema and --value-schema say.
func (o *ProduceOptions) schemaSource(ctx context.Context, src produce.Source) (produce.Source, error) {
	if (o.ValueMessage != "" && o.ValueSchema == "") || (o.KeyMessage != "" && o.KeySchema == "") {
		return nil, kqerr.Usagef("--value-message and --key-message go with --value-schema and --key-schema")
	}
	if o.ValueSchema == "" && o.KeySchema == "" {
		return src, nil
	}
	if o.generating() || o.ValueFile != "" {
		return nil, kqerr.Usagef("--value-schema and --key-schema encode JSON input: they exclude --gen and --value-file")
	}
	cl, err := o.f.needRegistry("--value-schema/--key-schema")
	if err != nil {
		return nil, err
	}
	key, err := encoderFor(ctx, cl, o.KeySchema, o.Topic+"-key", o.KeyMessage)
	if err != nil {
		return nil, err
	}
	value, err := encoderFor(ctx, cl, o.ValueSchema, o.Topic+"-value", o.ValueMessage)
	if err != nil {
		return nil, err
	}
	return schemas.NewEncodingSource(src, key, value), nil
}

// encoderFor resolves one --*-schema spec (nil for none) and picks its
// Protobuf message when one is named.
func encoderFor(ctx context.Context, cl *sr.Client, spec, subject, message string) (*schemas.Encoder, error) {
	if spec == "" {
		return nil, nil
	}
	enc, err := schemas.ResolveEncoder(ctx, cl, spec, subject)
	if err != nil {
		return nil, err
	}
	if message != "" {
		if err := enc.UseMessage(message); err != nil {
			return nil, err
		}
	}
	return enc, nil
}
