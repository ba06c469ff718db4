package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/produce"
	"github.com/kq-dev/kq/schemas"
)

// addProduceSchemaFlags adds --value-schema and --key-schema.
func addProduceSchemaFlags(c *cobra.Command, o *ProduceOptions) {
	fl := c.Flags()
	fl.StringVar(&o.ValueSchema, "value-schema", "", "encode JSON values with this schema: SUBJECT (latest version), ID, or FILE (.avsc/.proto/.json, registered as TOPIC-value)")
	fl.StringVar(&o.KeySchema, "key-schema", "", "encode JSON keys with this schema: SUBJECT, ID, or FILE (registered as TOPIC-key)")
}

// schemaSource wraps src so that keys and values are validated and encoded
// to the Confluent wire format as --key-schema and --value-schema say.
func (o *ProduceOptions) schemaSource(ctx context.Context, src produce.Source) (produce.Source, error) {
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
	var key, value *schemas.Encoder
	if o.KeySchema != "" {
		if key, err = schemas.ResolveEncoder(ctx, cl, o.KeySchema, o.Topic+"-key"); err != nil {
			return nil, err
		}
	}
	if o.ValueSchema != "" {
		if value, err = schemas.ResolveEncoder(ctx, cl, o.ValueSchema, o.Topic+"-value"); err != nil {
			return nil, err
		}
	}
	return schemas.NewEncodingSource(src, key, value), nil
}
