package broker

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kq-dev/kq/internal/wire"
)

// Kafka aborts the open transaction of a transactional id when a new
// producer initialises that id (a producer that crashed mid-transaction is
// replaced). The pinned kfake only bumps the epoch, so the successor's commit
// would make the crashed producer's writes visible. txnAborter adds Kafka's
// behaviour: it follows which transactional ids have a transaction open,
// and answers InitProducerID for such an id with CONCURRENT_TRANSACTIONS
// (clients retry) while it aborts the open transaction with an EndTxn of the
// old producer id and epoch.
type txnAborter struct {
	b *Broker

	mu   sync.Mutex
	open map[string]openTxn
}

type openTxn struct {
	pid      int64
	epoch    int16
	aborting bool
}

// install registers the control hooks on a freshly opened cluster.
func (a *txnAborter) install(c *kfake.Cluster) {
	a.mu.Lock()
	a.open = map[string]openTxn{}
	a.mu.Unlock()
	observe := func(fn func(kmsg.Request)) func(kmsg.Request) (kmsg.Response, error, bool) {
		return func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			fn(req)
			return nil, nil, false
		}
	}
	c.ControlKey(int16(kmsg.AddPartitionsToTxn), observe(a.addPartitions))
	c.ControlKey(int16(kmsg.Produce), observe(a.produce))
	c.ControlKey(int16(kmsg.AddOffsetsToTxn), observe(func(req kmsg.Request) {
		r := req.(*kmsg.AddOffsetsToTxnRequest)
		a.begin(r.TransactionalID, r.ProducerID, r.ProducerEpoch)
	}))
	c.ControlKey(int16(kmsg.EndTxn), observe(func(req kmsg.Request) {
		a.end(req.(*kmsg.EndTxnRequest).TransactionalID)
	}))
	c.ControlKey(int16(kmsg.InitProducerID), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.InitProducerIDRequest)
		if r.TransactionalID == nil || !a.abortOpen(*r.TransactionalID) {
			return nil, nil, false
		}
		resp := r.ResponseKind().(*kmsg.InitProducerIDResponse)
		resp.Version = r.Version
		resp.ErrorCode, resp.ProducerID, resp.ProducerEpoch = kerr.ConcurrentTransactions.Code, -1, -1
		return resp, nil, true
	})
}

func (a *txnAborter) addPartitions(req kmsg.Request) {
	r := req.(*kmsg.AddPartitionsToTxnRequest)
	if r.TransactionalID != "" {
		a.begin(r.TransactionalID, r.ProducerID, r.ProducerEpoch)
	}
	for _, t := range r.Transactions {
		a.begin(t.TransactionalID, t.ProducerID, t.ProducerEpoch)
	}
}

// produce follows transactional produce requests: since KIP-890 (Produce
// v12) a transactional write adds its partition to the transaction
// without an AddPartitionsToTxn request.
func (a *txnAborter) produce(req kmsg.Request) {
	r := req.(*kmsg.ProduceRequest)
	if r.TransactionID == nil || *r.TransactionID == "" {
		return
	}
	for _, t := range r.Topics {
		for _, p := range t.Partitions {
			if b := p.Records; len(b) >= wire.BatchHeaderLen && b[wire.BatchMagic] == 2 {
				pid := int64(binary.BigEndian.Uint64(b[wire.BatchProducerID:]))
				a.begin(*r.TransactionID, pid, int16(binary.BigEndian.Uint16(b[wire.BatchProducerEpoch:])))
				return
			}
		}
	}
}

func (a *txnAborter) begin(id string, pid int64, epoch int16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur, ok := a.open[id]; !ok || !cur.aborting {
		a.open[id] = openTxn{pid: pid, epoch: epoch}
	}
}

func (a *txnAborter) end(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur, ok := a.open[id]; ok && !cur.aborting {
		delete(a.open, id)
	}
}

// abortOpen reports whether id has a transaction open (or being aborted);
// the first time, it starts aborting it in the background.
func (a *txnAborter) abortOpen(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	cur, ok := a.open[id]
	if !ok {
		return false
	}
	if !cur.aborting {
		cur.aborting = true
		a.open[id] = cur
		go a.abort(id, cur)
	}
	return true
}

// abort ends the open transaction with an EndTxn(abort) sent as the old
// producer, through an ordinary client, then forgets it whatever the
// outcome (a transaction that timed out meanwhile fails the EndTxn).
func (a *txnAborter) abort(id string, t openTxn) {
	defer func() {
		a.mu.Lock()
		delete(a.open, id)
		a.mu.Unlock()
	}()
	cl, err := kgo.NewClient(a.b.selfClientOpts()...)
	if err != nil {
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrEndTxnRequest()
	req.TransactionalID, req.ProducerID, req.ProducerEpoch, req.Commit = id, t.pid, t.epoch, false
	_, _ = req.RequestWith(ctx, cl)
}

// selfClientOpts are the options of a client of the broker's own
// listeners (TLS and SASL as they require), for the corrections that ask
// the cluster as a client would.
func (b *Broker) selfClientOpts() []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(b.Addrs()...), kgo.RetryTimeout(5 * time.Second)}
	if b.opts.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{InsecureSkipVerify: true})) //nolint:gosec // our own listener on this host
	}
	switch {
	case len(b.opts.Users) > 0:
		u := b.opts.Users[0]
		opts = append(opts, kgo.SASL(plain.Auth{User: u.Name, Pass: u.Password}.AsMechanism()))
	case b.oauth != nil:
		opts = append(opts, kgo.SASL(plain.Auth{User: oauthShadowUser, Pass: b.oauth.password}.AsMechanism()))
	}
	return opts
}
