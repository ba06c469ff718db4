package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// Steps of a distributed run, each a kind of control record.
const (
	// stepPlan is worker 0's record of the run's settings.
	stepPlan = "plan"
	// stepReady is a worker at the start barrier: topics created, history
	// started, about to start its consumers and producers.
	stepReady = "ready"
	// stepProduced is a worker whose producers are done.
	stepProduced = "produced"
	// stepDrained is a worker whose consumers (or copiers) have caught up
	// and stopped.
	stepDrained = "drained"
)

// controlMsg is one record of the control topic.
type controlMsg struct {
	Kind    string `json:"kind"`
	Worker  int    `json:"worker"`
	Workers int    `json:"workers"`
	Nonce   string `json:"nonce"`
	Plan    []byte `json:"plan,omitempty"` // a workerPlan, gob encoded
}

// coordinator is a worker's end of the run's control topic. It is used by
// the run's main goroutine only.
type coordinator struct {
	w      *Worker
	topic  string
	nonce  string // this process's, to tell a worker started twice
	client sarama.Client
	prod   sarama.SyncProducer
	lr     *logReader
	seen   map[string]map[int]string // step → worker → nonce
	plan   *workerPlan
	logf   func(string, ...any)
}

// joinRun opens the control topic of w's run, creating it if needed, on
// the cluster f reaches or on w.Control.
func joinRun(ctx context.Context, f conn.Factory, w *Worker, logf func(string, ...any)) (*coordinator, error) {
	cf := f
	if w.Control != nil {
		cf = *w.Control
	}
	cf.Dialer = nil // no faults on coordination
	client, err := cf.Client(func(c *sarama.Config) {
		c.Metadata.Retry.Max = 5
		c.Producer.Return.Successes = true
		c.Producer.RequiredAcks = sarama.WaitForAll
	})
	if err != nil {
		return nil, err
	}
	c := &coordinator{w: w, topic: w.base() + "-control", nonce: randomNonce(), client: client,
		seen: map[string]map[int]string{}, logf: logf}
	if err := c.open(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return c, nil
}

// open creates the control topic (one partition) and opens its producer
// and reader.
func (c *coordinator) open(ctx context.Context) error {
	admin, err := sarama.NewClusterAdminFromClient(c.client)
	if err != nil {
		return err
	}
	// admin shares the client: closing it would close the client.
	rf := int16(min(3, len(c.client.Brokers())))
	err = admin.CreateTopic(c.topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: rf}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("create control topic %s: %w", c.topic, err)
	}
	led := waitUntil(ctx, time.Minute, func() bool {
		_ = c.client.RefreshMetadata(c.topic)
		_, err := c.client.Leader(c.topic, 0)
		return err == nil
	})
	if !led {
		return fmt.Errorf("control topic %s has no leader", c.topic)
	}
	if c.prod, err = sarama.NewSyncProducerFromClient(c.client); err != nil {
		return fmt.Errorf("control topic %s: %w", c.topic, err)
	}
	if c.lr, err = newLogReader(c.client, c.topic, 0, sarama.ReadUncommitted); err != nil {
		return err
	}
	return nil
}

// close closes the control clients; deleteTopic (worker 0, at the end)
// deletes the control topic first.
func (c *coordinator) close(deleteTopic bool) {
	if deleteTopic {
		if admin, err := sarama.NewClusterAdminFromClient(c.client); err == nil {
			if err := admin.DeleteTopic(c.topic); err != nil {
				c.logf("clean-up: delete control topic %s: %v", c.topic, err)
			}
		}
	}
	if c.lr != nil {
		c.lr.close()
	}
	if c.prod != nil {
		c.prod.Close()
	}
	c.client.Close()
}

// post writes this worker's record of step.
func (c *coordinator) post(step string, plan *workerPlan) error {
	m := controlMsg{Kind: step, Worker: c.w.Index, Workers: c.w.Count, Nonce: c.nonce}
	if plan != nil {
		var err error
		if m.Plan, err = plan.encode(); err != nil {
			return err
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, _, err = c.prod.SendMessage(&sarama.ProducerMessage{Topic: c.topic, Partition: 0, Value: sarama.ByteEncoder(b)})
	if err != nil {
		return fmt.Errorf("write %s to control topic %s: %w", step, c.topic, err)
	}
	return nil
}

// awaitPlan waits for worker 0's plan.
func (c *coordinator) awaitPlan(ctx context.Context) (*workerPlan, error) {
	err := c.await(ctx, stepPlan, func() bool { return c.plan != nil })
	return c.plan, err
}

// awaitAll waits until every worker has posted step.
func (c *coordinator) awaitAll(ctx context.Context, step string) error {
	return c.await(ctx, step, func() bool { return len(c.seen[step]) == c.w.Count })
}

// await reads the control topic until done holds, the worker timeout
// passes or ctx ends.
func (c *coordinator) await(ctx context.Context, step string, done func() bool) error {
	deadline := time.Now().Add(c.w.timeout())
	nextLog := time.Now().Add(10 * time.Second)
	for !done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return kqerr.SettingErrorf("run %s: %s not seen from worker %v within %v (are they running, against the same cluster and {run id}?)",
				c.w.RunID, step, c.missing(step), c.w.timeout())
		}
		if time.Now().After(nextLog) {
			c.logf("worker %d/%d: waiting for %s of worker %v", c.w.Index, c.w.Count, step, c.missing(step))
			nextLog = time.Now().Add(10 * time.Second)
		}
		recs, err := c.lr.next()
		if err != nil {
			sleepCtx(ctx, 100*time.Millisecond)
			continue
		}
		for _, r := range recs {
			if err := c.take(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// missing lists the workers not yet seen at step.
func (c *coordinator) missing(step string) []int {
	if step == stepPlan {
		return []int{0}
	}
	var out []int
	for i := range c.w.Count {
		if _, ok := c.seen[step][i]; !ok {
			out = append(out, i)
		}
	}
	return out
}

// take reads one control record. A record of another worker count, a
// second process claiming a worker's number, or a second plan stop the run.
func (c *coordinator) take(r logRecord) error {
	var m controlMsg
	if err := json.Unmarshal(r.value, &m); err != nil || m.Kind == "" {
		return fmt.Errorf("control topic %s holds a record kq did not write at offset %d", c.topic, r.offset)
	}
	switch {
	case m.Workers != c.w.Count:
		return fmt.Errorf("run %s: worker %d says the run has %d workers, this one (worker %d) %d", c.w.RunID, m.Worker, m.Workers, c.w.Index, c.w.Count)
	case m.Worker < 0 || m.Worker >= c.w.Count:
		return fmt.Errorf("run %s: a record from worker %d of %d", c.w.RunID, m.Worker, m.Workers)
	}
	byWorker := c.seen[m.Kind]
	if byWorker == nil {
		byWorker = map[int]string{}
		c.seen[m.Kind] = byWorker
	}
	if prev, ok := byWorker[m.Worker]; ok && prev != m.Nonce {
		if m.Kind == stepPlan {
			return kqerr.SettingErrorf("run %s has two plans on %s: the run id was used before (pick a new {run id}) or worker 0 started twice", c.w.RunID, c.topic)
		}
		return kqerr.SettingErrorf("run %s: worker %d/%d is running twice (two processes with the same {worker})", c.w.RunID, m.Worker, c.w.Count)
	}
	byWorker[m.Worker] = m.Nonce
	if m.Kind == stepPlan && c.plan == nil && m.Plan != nil {
		if c.w.Index == 0 && m.Nonce != c.nonce {
			return kqerr.SettingErrorf("run %s already has a plan on %s: the run id was used before (pick a new {run id}) or worker 0 started twice", c.w.RunID, c.topic)
		}
		p, err := decodePlan(m.Plan)
		if err != nil {
			return fmt.Errorf("run %s: worker 0's plan: %w (are the workers the same kq version?)", c.w.RunID, err)
		}
		c.plan = p
	}
	return nil
}

func randomNonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
