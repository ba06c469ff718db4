package conn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Properties are client properties given as key=value in librdkafka's and
// the Java client's names (kcat's -X), for the settings kq has no flag for.
// [ParseProperties] knows the keys of [PropertyKeys]; keys that kq sets
// with a flag are refused with the flag's name.
type Properties struct {
	profile []prop // applied to the Profile
	config  []prop // applied to every *sarama.Config
}

// prop is one parsed key=value.
type prop struct{ key, value string }

// property describes one key kq understands.
type property struct {
	help string
	// profile sets a connection-profile field.
	profile func(p *Profile, v string) error
	// config sets a sarama field.
	config func(c *sarama.Config, v string) error
}

// properties are the keys -X understands. Aliases share an entry.
var properties = map[string]property{
	"client.id":                          {help: "client id ({client id})", profile: func(p *Profile, v string) error { p.ClientID = v; return nil }},
	"client.rack":                        {help: "rack id for fetching from the closest replica (KIP-392)", config: func(c *sarama.Config, v string) error { c.RackID = v; return nil }},
	"fetch.min.bytes":                    {help: "bytes a fetch waits for", config: intProp(func(c *sarama.Config, n int) { c.Consumer.Fetch.Min = int32(n) })},
	"fetch.max.bytes":                    {help: "most bytes of one fetch response", config: intProp(func(c *sarama.Config, n int) { c.Consumer.Fetch.Max = int32(n) })},
	"max.partition.fetch.bytes":          {help: "bytes asked per partition in a fetch", config: intProp(func(c *sarama.Config, n int) { c.Consumer.Fetch.Default = int32(n) })},
	"fetch.wait.max.ms":                  {help: "how long the broker holds a fetch for fetch.min.bytes (alias fetch.max.wait.ms)", config: msProp(func(c *sarama.Config, d time.Duration) { c.Consumer.MaxWaitTime = d })},
	"socket.timeout.ms":                  {help: "network read and write timeout", config: msProp(func(c *sarama.Config, d time.Duration) { c.Net.ReadTimeout, c.Net.WriteTimeout = d, d })},
	"socket.connection.setup.timeout.ms": {help: "dial timeout", config: msProp(func(c *sarama.Config, d time.Duration) { c.Net.DialTimeout = d })},
	"socket.keepalive.enable":            {help: "TCP keep-alive (true: 15s probes)", config: boolProp(func(c *sarama.Config, b bool) { c.Net.KeepAlive = keepAlive(b) })},
	"metadata.max.age.ms":                {help: "metadata refresh interval", config: msProp(func(c *sarama.Config, d time.Duration) { c.Metadata.RefreshFrequency = d })},
	"session.timeout.ms":                 {help: "group session timeout (consume -g)", config: msProp(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Session.Timeout = d })},
	"heartbeat.interval.ms":              {help: "group heartbeat interval (consume -g)", config: msProp(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Heartbeat.Interval = d })},
	"max.poll.interval.ms":               {help: "group rebalance timeout (consume -g)", config: msProp(func(c *sarama.Config, d time.Duration) { c.Consumer.Group.Rebalance.Timeout = d })},
	"request.timeout.ms":                 {help: "produce acknowledgement timeout on the broker", config: msProp(func(c *sarama.Config, d time.Duration) { c.Producer.Timeout = d })},
	"security.protocol":                  {help: "plaintext, ssl, sasl_plaintext or sasl_ssl", profile: securityProtocol},
	"sasl.mechanisms":                    {help: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (alias sasl.mechanism; {sasl mechanism})", profile: func(p *Profile, v string) error { p.SASL.Mechanism = strings.ToLower(v); return nil }},
	"sasl.username":                      {help: "SASL user ({sasl user})", profile: func(p *Profile, v string) error { p.SASL.User = v; return nil }},
	"sasl.password":                      {help: "SASL password ({sasl password})", profile: func(p *Profile, v string) error { p.SASL.Password = v; return nil }},
	"ssl.ca.location":                    {help: "PEM file of CAs ({tls ca})", profile: func(p *Profile, v string) error { p.TLS.CAFile, p.TLS.Enabled = v, true; return nil }},
	"ssl.certificate.location":           {help: "PEM client certificate ({tls cert})", profile: func(p *Profile, v string) error { p.TLS.CertFile, p.TLS.Enabled = v, true; return nil }},
	"ssl.key.location":                   {help: "PEM client key ({tls key})", profile: func(p *Profile, v string) error { p.TLS.KeyFile, p.TLS.Enabled = v, true; return nil }},
	"enable.ssl.certificate.verification": {help: "false skips server certificate checks ({tls insecure})", profile: func(p *Profile, v string) error {
		b, err := strconv.ParseBool(v)
		p.TLS.Insecure = !b
		return err
	}},
}

// aliases map other spellings to the keys of properties.
var aliases = map[string]string{
	"fetch.max.wait.ms": "fetch.wait.max.ms",
	"sasl.mechanism":    "sasl.mechanisms",
	"sasl.user":         "sasl.username",
}

// flagged are properties kq sets with a setting of its own: -X refuses
// them and names the setting (in braces, as kqerr.Settingf reads it).
var flagged = map[string]string{
	"bootstrap.servers": "{bootstrap brokers}", "metadata.broker.list": "{bootstrap brokers}",
	"acks": "{acks}", "request.required.acks": "{acks}",
	"compression.type": "{compression}", "compression.codec": "{compression}",
	"linger.ms": "{linger}", "queue.buffering.max.ms": "{linger}",
	"batch.size": "{batch bytes}", "message.max.bytes": "{max message bytes}",
	"partitioner": "{partitioner}", "enable.idempotence": "{idempotent}",
	"transactional.id": "{transactional id}", "group.id": "{group}",
	"isolation.level": "{isolation}", "auto.offset.reset": "{from}",
	"enable.auto.commit": "{commit}/{no commit}", "partition.assignment.strategy": "{balance}",
	"api.version.request": "{kafka version}", "broker.version.fallback": "{kafka version}",
	"retries": "{retries}", "message.send.max.retries": "{retries}", "retry.backoff.ms": "{retry backoff}",
	"max.in.flight.requests.per.connection": "{max in flight}", "max.in.flight": "{max in flight}",
}

// PropertyKeys returns the keys -X understands with a short description of
// each, sorted, for help and documentation; a description names kq's own
// setting for the key in braces.
func PropertyKeys() []kqerr.SettingText {
	out := make([]kqerr.SettingText, 0, len(properties))
	for k, p := range properties {
		out = append(out, kqerr.SettingText(k+": "+p.help))
	}
	slices.Sort(out)
	return out
}

// ParseProperties parses key=value items. An unknown key, a key kq sets by
// a flag, or a malformed value is a usage error.
func ParseProperties(items []string) (Properties, error) {
	var ps Properties
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return ps, kqerr.Usagef("-X %q: want key=value", it)
		}
		if a, ok := aliases[k]; ok {
			k = a
		}
		if f, ok := flagged[k]; ok {
			return ps, kqerr.Settingf("-X %s: kq sets this with "+f, k)
		}
		p, ok := properties[k]
		if !ok {
			return ps, kqerr.Usagef("-X %s: unknown client property (kq help client-properties lists the keys it understands)", k)
		}
		if err := p.check(v); err != nil {
			return ps, kqerr.Usagef("-X %s=%s: %v", k, v, err)
		}
		if p.profile != nil {
			ps.profile = append(ps.profile, prop{k, v})
		} else {
			ps.config = append(ps.config, prop{k, v})
		}
	}
	return ps, nil
}

// check tries the value on scratch targets, so bad values fail at parse
// time.
func (p property) check(v string) error {
	if p.profile != nil {
		var scratch Profile
		return p.profile(&scratch, v)
	}
	return p.config(sarama.NewConfig(), v)
}

// ApplyProfile sets the connection-profile properties (security, SASL,
// TLS, client id) on prof.
func (ps Properties) ApplyProfile(prof *Profile) {
	for _, p := range ps.profile {
		_ = properties[p.key].profile(prof, p.value) // checked by ParseProperties
	}
}

// Apply sets the client properties on cfg.
func (ps Properties) Apply(cfg *sarama.Config) {
	for _, p := range ps.config {
		_ = properties[p.key].config(cfg, p.value) // checked by ParseProperties
	}
}

// IsEmpty reports whether no property was given.
func (ps Properties) IsEmpty() bool { return len(ps.profile)+len(ps.config) == 0 }

func securityProtocol(p *Profile, v string) error {
	switch strings.ToLower(v) {
	case "plaintext":
		p.TLS.Enabled = false
	case "ssl":
		p.TLS.Enabled = true
	case "sasl_plaintext":
		p.TLS.Enabled = false
		if p.SASL.Mechanism == "" {
			p.SASL.Mechanism = "plain"
		}
	case "sasl_ssl":
		p.TLS.Enabled = true
		if p.SASL.Mechanism == "" {
			p.SASL.Mechanism = "plain"
		}
	default:
		return fmt.Errorf("want plaintext, ssl, sasl_plaintext or sasl_ssl")
	}
	return nil
}

func intProp(set func(*sarama.Config, int)) func(*sarama.Config, string) error {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("want a non-negative number of bytes")
		}
		set(c, int(n))
		return nil
	}
}

func msProp(set func(*sarama.Config, time.Duration)) func(*sarama.Config, string) error {
	return func(c *sarama.Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("want a positive number of milliseconds")
		}
		set(c, time.Duration(n)*time.Millisecond)
		return nil
	}
}

func boolProp(set func(*sarama.Config, bool)) func(*sarama.Config, string) error {
	return func(c *sarama.Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		set(c, b)
		return nil
	}
}

func keepAlive(on bool) time.Duration {
	if on {
		return 15 * time.Second
	}
	return -1
}
