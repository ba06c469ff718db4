package cmd

import (
	"strconv"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/schemas"
)

// holdsSecret reports whether a profile map sets a secret key.
func holdsSecret(m map[string]any) bool {
	for _, cs := range connSettings {
		if _, ok := m[cs.key]; ok && cs.secret {
			return true
		}
	}
	return false
}

// Registry returns the Schema Registry settings; ok is false when no
// registry URL is configured.
func (s *Settings) Registry() (opts schemas.RegistryOptions, ok bool, err error) {
	timeout, err := s.duration("timeout")
	if err != nil {
		return opts, false, err
	}
	insecure, err := s.boolean("schema-registry-insecure")
	if err != nil {
		return opts, false, err
	}
	opts = schemas.RegistryOptions{
		URL:      s.v.GetString("schema-registry"),
		User:     s.v.GetString("schema-registry-user"),
		Password: s.v.GetString("schema-registry-password"),
		TLS: conn.TLS{
			CAFile:   s.v.GetString("schema-registry-ca"),
			CertFile: s.v.GetString("schema-registry-cert"),
			KeyFile:  s.v.GetString("schema-registry-key"),
			Insecure: insecure,
		},
		Timeout: timeout,
	}
	if opts.URL == "" {
		return opts, false, nil
	}
	return opts, true, opts.Validate()
}

// registryValues are the registry keys' effective values as text.
func (s *Settings) registryValues() map[string]string {
	return map[string]string{
		"schema-registry":          s.v.GetString("schema-registry"),
		"schema-registry-user":     s.v.GetString("schema-registry-user"),
		"schema-registry-password": s.v.GetString("schema-registry-password"),
		"schema-registry-ca":       s.v.GetString("schema-registry-ca"),
		"schema-registry-cert":     s.v.GetString("schema-registry-cert"),
		"schema-registry-key":      s.v.GetString("schema-registry-key"),
		"schema-registry-insecure": strconv.FormatBool(s.v.GetBool("schema-registry-insecure")),
	}
}
