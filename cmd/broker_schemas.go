package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/broker/schemareg"
)

// addBrokerSchemaFlags adds --schema-registry to kq broker.
func addBrokerSchemaFlags(c *cobra.Command, o *BrokerOptions) {
	fl := c.Flags()
	fl.StringVar(&o.SchemaRegistry, "schema-registry", "", "also serve a Schema Registry API on ADDR (bare flag: "+schemareg.DefaultAddr+"), kept in --data-dir")
	fl.Lookup("schema-registry").NoOptDefVal = schemareg.DefaultAddr
}

// startSchemaRegistry starts the registry when asked for and prints its
// URL; the returned stop function is never nil.
func (o *BrokerOptions) startSchemaRegistry() (func() error, error) {
	if o.SchemaRegistry == "" {
		return func() error { return nil }, nil
	}
	s, err := schemareg.Start(schemareg.Options{Addr: o.SchemaRegistry, DataDir: o.DataDir})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(o.f.IO.ErrOut, "  schema registry  %s\n", s.URL())
	fmt.Fprintf(o.f.IO.Out, "schema-registry: %s\n", s.URL())
	return s.Close, nil
}
