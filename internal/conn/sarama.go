package conn

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// SaramaConfig returns a fresh sarama configuration for p. Callers adjust
// the producer and consumer sections for their use; connection, TLS, SASL
// and timeout settings come only from here.
func (p Profile) SaramaConfig() (*sarama.Config, error) {
	p = p.WithDefaults()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	cfg := sarama.NewConfig()
	cfg.ClientID = p.ClientID
	cfg.Version, _ = sarama.ParseKafkaVersion(p.KafkaVersion)
	cfg.Net.DialTimeout = p.Timeout
	cfg.Net.ReadTimeout = p.Timeout + p.Timeout/2 // fetch long-polls wait up to MaxWaitTime
	cfg.Net.WriteTimeout = p.Timeout
	cfg.Admin.Timeout = p.Timeout
	cfg.Metadata.Timeout = p.Timeout
	cfg.Metadata.Retry.Max = 2
	cfg.Metadata.AllowAutoTopicCreation = false
	if err := p.applyTLS(cfg); err != nil {
		return nil, err
	}
	p.applySASL(cfg)
	return cfg, nil
}

func (p Profile) tlsEnabled() bool {
	t := p.TLS
	return t.Enabled || t.CAFile != "" || t.CertFile != "" || t.Insecure
}

func (p Profile) applyTLS(cfg *sarama.Config) error {
	if !p.tlsEnabled() {
		return nil
	}
	tc, err := p.TLS.ClientConfig()
	if err != nil {
		return err
	}
	cfg.Net.TLS.Enable = true
	cfg.Net.TLS.Config = tc
	return nil
}

// ClientConfig returns the client-side *tls.Config of t: its CA bundle
// (the system pool when none), client certificate and verification
// setting. It is the one place a kq client's TLS is built.
func (t TLS) ClientConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.Insecure} //nolint:gosec // user's explicit --tls-insecure
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca %s holds no PEM certificate", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func (p Profile) applySASL(cfg *sarama.Config) {
	mech := strings.ToLower(p.SASL.Mechanism)
	if mech == "" {
		return
	}
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.Handshake = true
	cfg.Net.SASL.User = p.SASL.User
	cfg.Net.SASL.Password = p.SASL.Password
	switch mech {
	case MechOAuthBearer, MechAWSMSKIAM:
		cfg.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		cfg.Net.SASL.TokenProvider = p.tokenProvider()
	case "plain":
		cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case "scram-sha-256":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA256} }
	case "scram-sha-512":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA512} }
	}
}

// scramClient adapts xdg-go/scram to sarama.SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (s *scramClient) Begin(user, password, authzID string) error {
	c, err := s.hash.NewClient(user, password, authzID)
	if err != nil {
		return fmt.Errorf("scram: %w", err)
	}
	s.conv = c.NewConversation()
	return nil
}

func (s *scramClient) Step(challenge string) (string, error) {
	return s.conv.Step(challenge)
}

func (s *scramClient) Done() bool { return s.conv.Done() }
