//go:build !linux

package broker

import (
	"errors"
	"net"
)

// stopListening cannot take a socket out of the listening state and keep
// its port here: a stopped node's connections are accepted and cut.
func stopListening(net.Listener) bool { return false }

// startListening is never reached where stopListening fails.
func startListening(net.Listener) error { return errors.New("not supported") }
