package conn

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestClassifyUnreachable(t *testing.T) {
	refused := sarama.Wrap(sarama.ErrOutOfBrokers, fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED))
	err := Factory{}.Classify(refused)
	if !errors.Is(err, kqerr.ErrUnreachable) {
		t.Fatalf("default profile: %v is not unreachable", err)
	}
	for _, want := range []string{DefaultBroker, "connection refused", "kq broker"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	err = Factory{Profile: Profile{Brokers: []string{"k1:9092", "k2:9092"}}}.Classify(refused)
	if !strings.Contains(err.Error(), "k1:9092,k2:9092") || strings.Contains(err.Error(), "kq broker") {
		t.Errorf("custom brokers message = %q", err)
	}
}

func TestClassifyAuth(t *testing.T) {
	err := Factory{}.Classify(fmt.Errorf("x: %w", sarama.ErrSASLAuthenticationFailed))
	if !errors.Is(err, kqerr.ErrAuth) || kqerr.Code(err) != kqerr.CodeUnreachable {
		t.Fatalf("sasl failure classified as %v", err)
	}
	plain := errors.New("something else")
	if got := (Factory{}).Classify(plain); got != plain {
		t.Fatalf("unrelated error changed: %v", got)
	}
}

func TestSaramaConfig(t *testing.T) {
	cfg, err := Profile{}.SaramaConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != "kq" || cfg.Net.DialTimeout != DefaultTimeout || cfg.Version != sarama.V2_8_0_0 {
		t.Errorf("defaults: client %q dial %v version %v", cfg.ClientID, cfg.Net.DialTimeout, cfg.Version)
	}
	cfg, err = Profile{Timeout: 3 * time.Second, SASL: SASL{Mechanism: "SCRAM-SHA-512", User: "u", Password: "p"}, TLS: TLS{Insecure: true}}.SaramaConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Net.SASL.Enable || cfg.Net.SASL.Mechanism != sarama.SASLTypeSCRAMSHA512 || cfg.Net.SASL.SCRAMClientGeneratorFunc == nil {
		t.Errorf("sasl not configured: %+v", cfg.Net.SASL)
	}
	if !cfg.Net.TLS.Enable || !cfg.Net.TLS.Config.InsecureSkipVerify {
		t.Errorf("tls not configured")
	}
	if cfg.Net.DialTimeout != 3*time.Second {
		t.Errorf("dial timeout %v", cfg.Net.DialTimeout)
	}
	for _, bad := range []Profile{
		{Brokers: []string{"nohost"}},
		{KafkaVersion: "banana"},
		{SASL: SASL{Mechanism: "gssapi", User: "u"}},
		{SASL: SASL{Mechanism: "plain"}},
		{TLS: TLS{CertFile: "c.pem"}},
		{TLS: TLS{CAFile: "/does/not/exist"}},
	} {
		if _, err := bad.SaramaConfig(); err == nil {
			t.Errorf("profile %+v accepted", bad)
		}
	}
}

func TestRedacted(t *testing.T) {
	p := Profile{SASL: SASL{User: "u", Password: "hunter2"}}.Redacted()
	if p.SASL.Password != "<redacted>" {
		t.Errorf("password not redacted: %q", p.SASL.Password)
	}
	if (Profile{}).Redacted().SASL.Password != "" {
		t.Error("empty password became non-empty")
	}
}

func TestClassifySASLEOF(t *testing.T) {
	eof := sarama.Wrap(sarama.ErrOutOfBrokers, io.EOF)
	f := Factory{Profile: Profile{SASL: SASL{Mechanism: "scram-sha-256", User: "alice"}}}
	err := f.Classify(eof)
	if !errors.Is(err, kqerr.ErrAuth) || !strings.Contains(err.Error(), `"alice"`) {
		t.Fatalf("EOF during SASL: %v", err)
	}
	if err := (Factory{}).Classify(eof); !errors.Is(err, kqerr.ErrUnreachable) {
		t.Fatalf("EOF without SASL: %v, want unreachable", err)
	}
}
