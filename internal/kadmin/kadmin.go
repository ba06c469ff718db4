// Package kadmin is kq's one home for Kafka admin requests that sarama
// lacks (transactions, producers, ACL details): a franz-go kadm client
// built from the same connection profile as every sarama client.
package kadmin

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kq-dev/kq/internal/conn"
)

// New returns a kadm client for p; Close it with the returned function.
func New(p conn.Profile) (*kadm.Client, func(), error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(p.Brokers...),
		kgo.ClientID(p.ClientID),
		kgo.Dialer((&net.Dialer{Timeout: p.Timeout}).DialContext),
		kgo.RequestTimeoutOverhead(p.Timeout),
		kgo.RetryTimeout(p.Timeout),
		kgo.MetadataMinAge(100 * time.Millisecond),
	}
	if p.TLS.Enabled || p.TLS.CAFile != "" || p.TLS.CertFile != "" || p.TLS.Insecure {
		tc, err := p.TLS.ClientConfig()
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if m := mechanism(p); m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka client: %w", err)
	}
	return kadm.NewClient(cl), cl.Close, nil
}

// mechanism is the franz-go SASL mechanism of the profile (nil: none).
func mechanism(p conn.Profile) sasl.Mechanism {
	s := p.SASL
	switch strings.ToLower(s.Mechanism) {
	case conn.MechPlain:
		return plain.Auth{User: s.User, Pass: s.Password}.AsMechanism()
	case conn.MechScram256:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha256Mechanism()
	case conn.MechScram512:
		return scram.Auth{User: s.User, Pass: s.Password}.AsSha512Mechanism()
	case conn.MechOAuthBearer, conn.MechAWSMSKIAM:
		tp := p.TokenProvider()
		return oauth.Oauth(func(context.Context) (oauth.Auth, error) {
			t, err := tp.Token()
			if err != nil {
				return oauth.Auth{}, err
			}
			return oauth.Auth{Token: t.Token}, nil
		})
	}
	return nil
}
