package cmd

import (
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/kq-dev/kq/internal/kadmin"
)

// Kadmin returns an admin client for the requests sarama lacks
// (transactions, producers), over the same connection profile.
func (f *Factory) Kadmin() (*kadm.Client, func(), error) {
	s, err := f.Settings()
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Profile(f.IO)
	if err != nil {
		return nil, nil, err
	}
	return kadmin.New(p)
}
