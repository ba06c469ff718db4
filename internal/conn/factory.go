package conn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/IBM/sarama"
	"golang.org/x/net/proxy"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Factory builds kq's Kafka clients from one profile. Every client kq opens
// comes from a Factory, so connection settings, the chaos dialer and error
// classification are applied the same way everywhere.
type Factory struct {
	// Profile is the resolved connection profile.
	Profile Profile
	// Dialer, when set, carries every broker connection (the chaos
	// engine's fault-injecting dialer uses this).
	Dialer proxy.Dialer
	// Tweak, when set, adjusts every configuration after the profile is
	// applied (for example to lower timeouts in tests).
	Tweak func(*sarama.Config)
	// Props are the user's client properties (-X); they are applied last,
	// over the settings of each client's own mods.
	Props Properties
	// Bootstraps, when set, is shared by the factory and its copies so
	// that the bootstrap addresses are probed once (see answering), not
	// at every client open; nil probes at every open.
	Bootstraps *Bootstraps
}

// localClusterHint ends an unreachable error's format when the brokers are
// the default ones.
const localClusterHint = " (start a local cluster with `kq broker`, or set {brokers})"

// Config returns a fresh configuration for the profile with the factory's
// dialer and tweak applied, then each mod in turn.
func (f Factory) Config(mods ...func(*sarama.Config)) (*sarama.Config, error) {
	cfg, err := f.Profile.SaramaConfig()
	if err != nil {
		return nil, err
	}
	if f.Dialer != nil {
		cfg.Net.Proxy.Enable = true
		cfg.Net.Proxy.Dialer = f.Dialer
	}
	if f.Tweak != nil {
		f.Tweak(cfg)
	}
	for _, m := range mods {
		m(cfg)
	}
	f.Props.Apply(cfg)
	return cfg, nil
}

// Client connects a sarama client and loads cluster metadata.
func (f Factory) Client(mods ...func(*sarama.Config)) (sarama.Client, error) {
	cfg, err := f.Config(mods...)
	if err != nil {
		return nil, err
	}
	brokers, err := f.Profile.WithDefaults().brokersOrErr()
	if err != nil {
		return nil, err
	}
	return openWithin(f, cfg, brokers, sarama.NewClient)
}

// Admin connects a cluster admin. Closing the admin closes its client.
func (f Factory) Admin(mods ...func(*sarama.Config)) (sarama.ClusterAdmin, error) {
	_, a, err := f.ClientAdmin(mods...)
	return a, err
}

// ClientAdmin connects a client and a cluster admin over it, for callers
// that need both. Closing the admin closes the client.
func (f Factory) ClientAdmin(mods ...func(*sarama.Config)) (sarama.Client, sarama.ClusterAdmin, error) {
	c, err := f.Client(mods...)
	if err != nil {
		return nil, nil, err
	}
	a, err := sarama.NewClusterAdminFromClient(c)
	if err != nil {
		c.Close()
		return nil, nil, f.Classify(err)
	}
	return c, a, nil
}

// AsyncProducer connects an asynchronous producer on its own client.
func (f Factory) AsyncProducer(mods ...func(*sarama.Config)) (sarama.AsyncProducer, error) {
	cfg, err := f.Config(mods...)
	if err != nil {
		return nil, err
	}
	return openWithin(f, cfg, f.Profile.WithDefaults().Brokers, sarama.NewAsyncProducer)
}

// Consumer connects a partition consumer factory on its own client.
func (f Factory) Consumer(mods ...func(*sarama.Config)) (sarama.Consumer, error) {
	cfg, err := f.Config(mods...)
	if err != nil {
		return nil, err
	}
	return openWithin(f, cfg, f.Profile.WithDefaults().Brokers, sarama.NewConsumer)
}

// ConsumerGroup joins group as a new member on its own client.
func (f Factory) ConsumerGroup(group string, mods ...func(*sarama.Config)) (sarama.ConsumerGroup, error) {
	cfg, err := f.Config(mods...)
	if err != nil {
		return nil, err
	}
	return openWithin(f, cfg, f.Profile.WithDefaults().Brokers, func(brokers []string, cfg *sarama.Config) (sarama.ConsumerGroup, error) {
		return sarama.NewConsumerGroup(brokers, group, cfg)
	})
}

// Classify wraps a connection error so its exit code and message are
// right: authentication and TLS failures wrap kqerr.ErrAuth, a cluster that
// cannot be reached wraps kqerr.ErrUnreachable with the addresses tried (and
// a hint to start `kq broker` at the default address). Other errors are
// returned as they are.
func (f Factory) Classify(err error) error {
	if err == nil {
		return nil
	}
	p := f.Profile.WithDefaults()
	switch {
	case errors.Is(err, kqerr.ErrAuth): // a token provider's failure
		return fmt.Errorf("%w: %s", kqerr.ErrAuth, oneLine(withoutSentinel(err, kqerr.ErrAuth)))
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed), errors.Is(err, sarama.ErrIllegalSASLState),
		errors.Is(err, sarama.ErrUnsupportedSASLMechanism), strings.Contains(err.Error(), "SASL"):
		return fmt.Errorf("%w: %s", kqerr.ErrAuth, oneLine(err))
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return fmt.Errorf("%w: tls handshake with %s: %s", kqerr.ErrAuth, strings.Join(p.Brokers, ","), oneLine(err))
	case p.SASL.Mechanism != "" && errors.Is(err, sarama.ErrOutOfBrokers) && errors.Is(err, io.EOF):
		// Brokers that reject credentials by closing the connection (kfake
		// does) leave only an EOF behind.
		if p.SASL.User == "" { // a token mechanism
			return fmt.Errorf("%w: %s closed the connection during SASL %s authentication (token rejected?)",
				kqerr.ErrAuth, strings.Join(p.Brokers, ","), strings.ToUpper(p.SASL.Mechanism))
		}
		return fmt.Errorf("%w: %s closed the connection during SASL %s authentication of user %q (wrong user, password or mechanism?)",
			kqerr.ErrAuth, strings.Join(p.Brokers, ","), strings.ToUpper(p.SASL.Mechanism), p.SASL.User)
	case isTimeout(err) && !strings.Contains(err.Error(), "dial "):
		return fmt.Errorf("%w: no answer from the cluster at %s within %v: %s",
			kqerr.ErrUnreachable, strings.Join(p.Brokers, ","), p.Timeout, rootCause(err))
	case errors.Is(err, sarama.ErrOutOfBrokers) && errors.Is(err, io.EOF):
		return kqerr.SettingErrorf("%w: the broker at %s closed the connection: does it expect TLS ({tls}) or SASL ({sasl mechanism})?",
			kqerr.ErrUnreachable, strings.Join(p.Brokers, ","))
	case errors.Is(err, sarama.ErrOutOfBrokers), errors.Is(err, sarama.ErrNotConnected):
		format := "%w: cannot reach the cluster at %s: %s"
		if p.IsDefaultBroker() {
			format += localClusterHint
		}
		return kqerr.SettingErrorf(format, kqerr.ErrUnreachable, strings.Join(p.Brokers, ","), rootCause(err))
	}
	return err
}

// Unreachable is [Factory.Classify] for an error [IsUnreachable] accepts:
// it always wraps kqerr.ErrUnreachable or kqerr.ErrAuth, with a message
// naming the addresses.
func (f Factory) Unreachable(err error) error {
	c := f.Classify(err)
	if errors.Is(c, kqerr.ErrUnreachable) || errors.Is(c, kqerr.ErrAuth) {
		return c
	}
	return fmt.Errorf("%w: cannot reach the cluster at %s: %s",
		kqerr.ErrUnreachable, strings.Join(f.Profile.WithDefaults().Brokers, ","), rootCause(err))
}

// IsUnreachable reports whether err says the cluster cannot be reached
// now (no broker left to ask, connections refused, reset, closed or timed
// out), rather than one request failing.
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{kqerr.ErrUnreachable, sarama.ErrOutOfBrokers, sarama.ErrNotConnected,
		sarama.ErrBrokerNotAvailable, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed} {
		if errors.Is(err, target) {
			return true
		}
	}
	var oe *net.OpError
	return errors.As(err, &oe) || isTimeout(err)
}

// isTimeout reports whether err is a network timeout: the cluster was
// connected but did not answer in time.
func isTimeout(err error) bool {
	var ne net.Error
	return (errors.As(err, &ne) && ne.Timeout()) || strings.Contains(err.Error(), "i/o timeout")
}

// rootCause returns the innermost message of err's first wrapped error, for
// a short "connection refused" rather than sarama's whole chain.
func rootCause(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			if es := u.Unwrap(); len(es) > 0 {
				next = es[0]
			}
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		}
		if next == nil {
			return oneLine(err)
		}
		err = next
	}
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// SyncProducer connects a synchronous producer on its own client. Successes
// and errors are returned by sarama to the caller, so both are enabled.
func (f Factory) SyncProducer(mods ...func(*sarama.Config)) (sarama.SyncProducer, error) {
	cfg, err := f.Config(mods...)
	if err != nil {
		return nil, err
	}
	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	return openWithin(f, cfg, f.Profile.WithDefaults().Brokers, sarama.NewSyncProducer)
}

// DrainResults hands every result of an asynchronous producer to onAck or
// onError, in the order sarama returns them, until both its Successes and
// Errors channels are closed (after Close or AsyncClose). Successes must be
// enabled in the producer's configuration.
func DrainResults(p sarama.AsyncProducer, onAck func(*sarama.ProducerMessage), onError func(*sarama.ProducerError)) {
	succ, errs := p.Successes(), p.Errors()
	for succ != nil || errs != nil {
		select {
		case m, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			onAck(m)
		case e, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			onError(e)
		}
	}
}

// withoutSentinel drops sentinel's "text: " prefixes from err's message.
func withoutSentinel(err, sentinel error) error {
	return errors.New(strings.ReplaceAll(err.Error(), sentinel.Error()+": ", ""))
}
