package conn

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestPropertiesApply(t *testing.T) {
	ps, err := ParseProperties([]string{
		"fetch.max.bytes=1048576", "fetch.min.bytes=10", "max.partition.fetch.bytes=4096",
		"client.rack=eu1", "fetch.max.wait.ms=250", "socket.timeout.ms=3000",
		"session.timeout.ms=6000", "socket.keepalive.enable=false",
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sarama.NewConfig()
	ps.Apply(cfg)
	if cfg.Consumer.Fetch.Max != 1048576 || cfg.Consumer.Fetch.Min != 10 || cfg.Consumer.Fetch.Default != 4096 {
		t.Errorf("fetch sizes = %+v", cfg.Consumer.Fetch)
	}
	if cfg.RackID != "eu1" || cfg.Consumer.MaxWaitTime != 250*time.Millisecond {
		t.Errorf("rack %q, max wait %v", cfg.RackID, cfg.Consumer.MaxWaitTime)
	}
	if cfg.Net.ReadTimeout != 3*time.Second || cfg.Net.WriteTimeout != 3*time.Second || cfg.Consumer.Group.Session.Timeout != 6*time.Second || cfg.Net.KeepAlive >= 0 {
		t.Errorf("net %+v, session %v", cfg.Net, cfg.Consumer.Group.Session.Timeout)
	}
}

func TestPropertiesApplyProfile(t *testing.T) {
	ps, err := ParseProperties([]string{"security.protocol=SASL_SSL", "sasl.mechanisms=SCRAM-SHA-512", "sasl.username=ops", "sasl.password=pw", "client.id=me", "enable.ssl.certificate.verification=false"})
	if err != nil {
		t.Fatal(err)
	}
	var p Profile
	ps.ApplyProfile(&p)
	if !p.TLS.Enabled || !p.TLS.Insecure || p.SASL.Mechanism != "scram-sha-512" || p.SASL.User != "ops" || p.SASL.Password != "pw" || p.ClientID != "me" {
		t.Errorf("profile = %+v", p)
	}
	ps, _ = ParseProperties([]string{"security.protocol=sasl_plaintext"})
	p = Profile{}
	ps.ApplyProfile(&p)
	if p.TLS.Enabled || p.SASL.Mechanism != "plain" {
		t.Errorf("sasl_plaintext: profile = %+v", p)
	}
}

func TestPropertiesErrors(t *testing.T) {
	for in, want := range map[string]string{
		"nokey":                   "want key=value",
		"=v":                      "want key=value",
		"fetch.max.byts=1":        "unknown client property",
		"acks=all":                "kq sets this with acks",
		"group.id=g":              "with group",
		"bootstrap.servers=h:1":   "bootstrap brokers",
		"fetch.max.bytes=lots":    "non-negative number of bytes",
		"session.timeout.ms=-5":   "positive number of milliseconds",
		"security.protocol=https": "want plaintext, ssl",
	} {
		_, err := ParseProperties([]string{in})
		if !errors.Is(err, kqerr.ErrUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseProperties(%q) = %v, want a usage error with %q", in, err, want)
		}
	}
}

func TestFactoryConfigAppliesPropertiesLast(t *testing.T) {
	ps, err := ParseProperties([]string{"fetch.wait.max.ms=900"})
	if err != nil {
		t.Fatal(err)
	}
	f := Factory{Props: ps}
	cfg, err := f.Config(func(c *sarama.Config) { c.Consumer.MaxWaitTime = 100 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Consumer.MaxWaitTime != 900*time.Millisecond {
		t.Errorf("MaxWaitTime = %v, want the -X value over the client's own", cfg.Consumer.MaxWaitTime)
	}
}
