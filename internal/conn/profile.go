// Package conn turns kq's connection profile into sarama configuration and
// clients.
//
// A [Profile] is resolved once at start-up (flags, KQ_* environment, config
// file, defaults); [Profile.SaramaConfig] is the one place it becomes a
// *sarama.Config, and [Factory] is the one place kq's clients, admins,
// producers and consumers are built. Connection failures come back wrapping
// kqerr.ErrUnreachable or kqerr.ErrAuth with a one-line message that names
// the addresses tried.
package conn

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultBroker is the bootstrap address used when none is configured: the
// first node of `kq broker`.
const DefaultBroker = "127.0.0.1:9092"

// DefaultKafkaVersion is the protocol version kq speaks by default. sarama
// clamps each request to what the broker advertises in ApiVersions, so this
// works with older clusters too; 2.8 enables every admin call kq uses.
const DefaultKafkaVersion = "2.8.0"

// DefaultTimeout bounds dialing and each request round trip.
const DefaultTimeout = 10 * time.Second

// Profile is a resolved connection profile.
type Profile struct {
	// Brokers are the bootstrap addresses (host:port).
	Brokers []string `json:"brokers" yaml:"brokers"`
	// ClientID is sent to the brokers with every request.
	ClientID string `json:"client_id" yaml:"client-id"`
	// KafkaVersion is the protocol version to speak, e.g. "2.8.0".
	KafkaVersion string `json:"kafka_version" yaml:"kafka-version"`
	// Timeout is the dial timeout and the per-request timeout.
	Timeout time.Duration `json:"timeout" yaml:"timeout"`
	// TLS configures transport security.
	TLS TLS `json:"tls" yaml:"tls"`
	// SASL configures authentication.
	SASL SASL `json:"sasl" yaml:"sasl"`
}

// TLS holds the TLS settings of a profile.
type TLS struct {
	// Enabled turns TLS on; any of the file settings also implies it.
	Enabled bool `json:"enabled" yaml:"enabled"`
	// CAFile is a PEM bundle of CAs to trust instead of the system pool.
	CAFile string `json:"ca_file,omitempty" yaml:"ca,omitempty"`
	// CertFile and KeyFile are the client certificate and key (PEM).
	CertFile string `json:"cert_file,omitempty" yaml:"cert,omitempty"`
	// KeyFile is the client key (PEM) that goes with CertFile.
	KeyFile string `json:"key_file,omitempty" yaml:"key,omitempty"`
	// Insecure skips verification of the server certificate.
	Insecure bool `json:"insecure,omitempty" yaml:"insecure,omitempty"`
}

// SASL holds the SASL settings of a profile.
type SASL struct {
	// Mechanism is "", "plain", "scram-sha-256" or "scram-sha-512".
	Mechanism string `json:"mechanism,omitempty" yaml:"mechanism,omitempty"`
	// User is the SASL user name.
	User string `json:"user,omitempty" yaml:"user,omitempty"`
	// Password is the secret; it is never printed.
	Password string `json:"password,omitempty" yaml:"password,omitempty"`
	// Token is a static OAUTHBEARER token; it is never printed.
	Token string `json:"token,omitempty" yaml:"token,omitempty"`
	// OAuth gets OAUTHBEARER tokens by OIDC client credentials.
	OAuth OAuth `json:"oauth,omitempty" yaml:"oauth,omitempty"`
	// AWSRegion is the region of an MSK cluster (mechanism aws-msk-iam).
	AWSRegion string `json:"aws_region,omitempty" yaml:"aws-region,omitempty"`
}

// OAuth is an OIDC client-credentials grant for OAUTHBEARER tokens.
type OAuth struct {
	// TokenURL is the identity provider's token endpoint.
	TokenURL string `json:"token_url,omitempty" yaml:"token-url,omitempty"`
	// ClientID identifies kq at the provider.
	ClientID string `json:"client_id,omitempty" yaml:"client-id,omitempty"`
	// ClientSecret is the client's secret; it is never printed.
	ClientSecret string `json:"client_secret,omitempty" yaml:"client-secret,omitempty"`
	// Scopes are the scopes asked for.
	Scopes []string `json:"scopes,omitempty" yaml:"scopes,omitempty"`
}

// Redacted returns a copy of p that is safe to print: the password is
// replaced by "<redacted>" when set.
func (p Profile) Redacted() Profile {
	if p.SASL.Password != "" {
		p.SASL.Password = "<redacted>"
	}
	if p.SASL.Token != "" {
		p.SASL.Token = "<redacted>"
	}
	if p.SASL.OAuth.ClientSecret != "" {
		p.SASL.OAuth.ClientSecret = "<redacted>"
	}
	return p
}

// WithDefaults returns p with empty fields set to kq's defaults.
func (p Profile) WithDefaults() Profile {
	if len(p.Brokers) == 0 {
		p.Brokers = []string{DefaultBroker}
	}
	if p.ClientID == "" {
		p.ClientID = "kq"
	}
	if p.KafkaVersion == "" {
		p.KafkaVersion = DefaultKafkaVersion
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	return p
}

// IsDefaultBroker reports whether p points at the default local address,
// where `kq broker` would listen.
func (p Profile) IsDefaultBroker() bool {
	return len(p.Brokers) == 1 && p.Brokers[0] == DefaultBroker
}

// Validate checks the profile for settings that can never work.
func (p Profile) Validate() error {
	for _, b := range p.Brokers {
		if err := CheckBroker(b); err != nil {
			return kqerr.Settingf("{brokers}: %w", err)
		}
	}
	if _, err := sarama.ParseKafkaVersion(p.KafkaVersion); err != nil {
		return kqerr.Settingf("invalid {kafka version} %q: %v", p.KafkaVersion, err)
	}
	if err := p.SASL.validate(); err != nil {
		return err
	}
	if p.SASL.Mechanism == "" && p.SASL.User != "" {
		return kqerr.Settingf("{sasl user} needs {sasl mechanism} (plain, scram-sha-256 or scram-sha-512)")
	}
	if (p.TLS.CertFile == "") != (p.TLS.KeyFile == "") {
		return kqerr.Settingf("{tls cert} and {tls key} go together")
	}
	return nil
}

// CheckMechanism checks a SASL mechanism name ("" for none).
func CheckMechanism(m string) error {
	switch strings.ToLower(m) {
	case "", MechPlain, MechScram256, MechScram512, MechOAuthBearer, MechAWSMSKIAM:
		return nil
	}
	return fmt.Errorf("unknown SASL mechanism %q (want plain, scram-sha-256, scram-sha-512, oauthbearer or aws-msk-iam)", m)
}

// CheckBroker checks one bootstrap address: host:port with a host and a
// port from 1 to 65535, and no URL scheme.
func CheckBroker(addr string) error {
	if scheme, _, ok := strings.Cut(addr, "://"); ok {
		return fmt.Errorf("broker address %q has a URL scheme: want host:port, without %s://", addr, scheme)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("broker address %q is not host:port", addr)
	}
	if host == "" {
		return fmt.Errorf("broker address %q has no host (want host:port)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("broker address %q: port %q is not a number from 1 to 65535", addr, port)
	}
	return nil
}

// SplitBrokers splits a comma-separated broker list, dropping blanks.
func SplitBrokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

var errNoBrokers = errors.New("no brokers configured")

func (p Profile) brokersOrErr() ([]string, error) {
	if len(p.Brokers) == 0 {
		return nil, fmt.Errorf("%w: %w", kqerr.ErrUsage, errNoBrokers)
	}
	return p.Brokers, nil
}
