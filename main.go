// Command kq is a toolkit for Kafka operations and delivery testing:
// produce, consume, consumer groups and offsets, a built-in broker, fault
// injection and a delivery-semantics verifier. See `kq --help`.
package main

import (
	"os"

	"github.com/kq-dev/kq/cmd"
)

func main() { os.Exit(cmd.Main()) }
