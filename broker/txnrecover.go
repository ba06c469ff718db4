package broker

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kq-dev/kq/internal/wire"
)

// Kafka's transaction coordinator aborts, on recovery, every transaction
// that was open when a broker crashed: it writes abort markers in every
// partition the transaction touched, so the last stable offset moves past
// it and read_committed readers see the producer's later transactions. The
// pinned kfake only notes such a transaction as aborted in its in-memory
// index when it replays its logs after a crash, and writes no marker; Kafka
// clients then skip the producer's records until an abort marker that never
// comes, which hides its later committed transactions.
//
// recoverTxns restores Kafka's behaviour from the logs themselves, so
// nothing needs to survive the crash but the data: it first repairs the
// segment indexes a crash can leave short (segrepair.go), then, before the
// cluster opens
// on its real ports, the persisted state is loaded once on private loopback
// ports, every partition is read (read_uncommitted), every producer whose
// last transactional batch is not followed by a control batch gets an abort
// marker, and the cluster is closed again, which persists the markers.

// recoveryTimeout bounds the whole recovery pass.
const recoveryTimeout = 2 * time.Minute

// recovered is what the recovery pass did.
type recovered struct {
	// aborted counts the partitions that got an abort marker.
	aborted int
	// committed lists the partitions where a decided commit was
	// completed with a commit marker.
	committed []partitionRef
	// seqs holds the idempotent producer windows the logs hold.
	seqs []*seqWindow
}

// recoverTxns runs the recovery pass when the data dir holds state.
func (b *Broker) recoverTxns() (*recovered, error) {
	if _, err := os.Stat(filepath.Join(b.opts.DataDir, "meta.json")); err != nil {
		return &recovered{}, nil // nothing persisted yet (kfake writes meta.json first)
	}
	if _, err := repairIndexes(b.opts.DataDir); err != nil {
		return nil, err
	}
	decided, err := readDecisions(b.opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("broker: read the transaction decisions: %w", err)
	}
	c, err := kfake.NewCluster(b.kfakeOptions(make([]int, b.opts.Nodes), listenLoopback)...)
	if err != nil {
		return nil, fmt.Errorf("broker: recovery: %w", err)
	}
	rec, err := recoverOn(c, b.recoveryClientOpts(c.ListenAddrs()), decided)
	c.Close() // persists the markers and the producers' bumped epochs
	if err != nil {
		return nil, fmt.Errorf("broker: recover transactions open at the crash: %w", err)
	}
	if err := dropSnapshots(b.opts.DataDir, rec.committed); err != nil {
		return nil, fmt.Errorf("broker: recovery: %w", err)
	}
	if err := writeSeqWindows(b.opts.DataDir, rec.seqs); err != nil {
		return nil, fmt.Errorf("broker: rebuild idempotent producer state: %w", err)
	}
	return rec, nil
}

// recoverOn runs the recovery pass against the recovery cluster.
func recoverOn(c *kfake.Cluster, opts []kgo.Opt, decided map[int64]decision) (*recovered, error) {
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), recoveryTimeout)
	defer cancel()
	rec, err := endOpenTxns(ctx, cl, decided)
	if err != nil {
		return nil, err
	}
	if err := forwardOffsets(ctx, cl, decided); err != nil {
		return nil, err
	}
	return rec, nil
}

// listenLoopback is the recovery cluster's ListenFn: plain TCP on a random
// loopback port, unreachable to anyone who was not told it.
func listenLoopback(network, _ string) (net.Listener, error) {
	return net.Listen(network, "127.0.0.1:0")
}

func (b *Broker) recoveryClientOpts(addrs []string) []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(addrs...), kgo.RetryTimeout(10 * time.Second)}
	switch {
	case len(b.opts.Users) > 0:
		u := b.opts.Users[0]
		opts = append(opts, kgo.SASL(plain.Auth{User: u.Name, Pass: u.Password}.AsMechanism()))
	case b.oauth != nil: // the recovery cluster has no OAUTHBEARER rewrite
		opts = append(opts, kgo.SASL(plain.Auth{User: oauthShadowUser, Pass: b.oauth.password}.AsMechanism()))
	}
	return opts
}

// partitionRef names a partition and its leader.
type partitionRef struct {
	topic  string
	id     [16]byte
	part   int32
	leader int32
}

// endOpenTxns ends every transaction open in a partition: with a commit
// marker when its producer's last decision commits it, with an abort
// marker otherwise (unless the cluster still has it open).
func endOpenTxns(ctx context.Context, cl *kgo.Client, decided map[int64]decision) (*recovered, error) {
	parts, err := listPartitions(ctx, cl)
	if err != nil {
		return nil, err
	}
	rec := &recovered{}
	for _, p := range parts {
		sc, err := scanPartition(ctx, cl, p)
		if err != nil {
			return nil, err
		}
		for _, w := range sc.seqs {
			rec.seqs = append(rec.seqs, w)
		}
		if len(sc.open) == 0 {
			continue
		}
		if err := keepOngoing(ctx, cl, p, sc.open); err != nil {
			return nil, err
		}
		if commits := commitsDecided(sc.open, decided); len(commits) > 0 {
			if err := writeMarkers(ctx, cl, p, commits, true); err != nil {
				return nil, err
			}
			rec.committed = append(rec.committed, p)
		}
		if len(sc.open) > 0 {
			if err := writeMarkers(ctx, cl, p, sc.open, false); err != nil {
				return nil, err
			}
			rec.aborted++
		}
	}
	return rec, nil
}

func listPartitions(ctx context.Context, cl *kgo.Client) ([]partitionRef, error) {
	req := kmsg.NewPtrMetadataRequest()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	var out []partitionRef
	for _, t := range resp.Topics {
		if t.Topic == nil {
			continue
		}
		for _, p := range t.Partitions {
			out = append(out, partitionRef{topic: *t.Topic, id: t.TopicID, part: p.Partition, leader: p.Leader})
		}
	}
	return out, nil
}

// partScan is what a scan of one partition found.
type partScan struct {
	topic string
	part  int32
	// open holds the producers with a transaction still open (id to
	// epoch).
	open map[int64]int16
	// seqs holds the idempotent producers' windows.
	seqs seqWindows
}

// scanPartition reads a partition from its start to its high watermark.
func scanPartition(ctx context.Context, cl *kgo.Client, p partitionRef) (*partScan, error) {
	sc := &partScan{topic: p.topic, part: p.part, open: map[int64]int16{}, seqs: seqWindows{}}
	var next int64
	for {
		resp, err := fetchAt(ctx, cl, p, next)
		if err != nil {
			return nil, err
		}
		if resp.ErrorCode != 0 {
			return nil, fmt.Errorf("fetch %s/%d at %d: error code %d", p.topic, p.part, next, resp.ErrorCode)
		}
		if next < resp.LogStartOffset {
			next = resp.LogStartOffset
		}
		end := sc.batches(resp.RecordBatches)
		if end <= next {
			if next >= resp.HighWatermark {
				return sc, nil
			}
			return nil, fmt.Errorf("fetch %s/%d at %d: no progress below high watermark %d", p.topic, p.part, next, resp.HighWatermark)
		}
		next = end
	}
}

func fetchAt(ctx context.Context, cl *kgo.Client, p partitionRef, offset int64) (*kmsg.FetchResponseTopicPartition, error) {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID, req.MaxWaitMillis, req.MinBytes, req.MaxBytes = -1, 0, 0, 32<<20
	t := kmsg.NewFetchRequestTopic()
	t.Topic, t.TopicID = p.topic, p.id
	fp := kmsg.NewFetchRequestTopicPartition()
	fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes, fp.CurrentLeaderEpoch = p.part, offset, 16<<20, -1
	t.Partitions = append(t.Partitions, fp)
	req.Topics = append(req.Topics, t)
	kresp, err := cl.Broker(int(p.leader)).Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s/%d: %w", p.topic, p.part, err)
	}
	resp := kresp.(*kmsg.FetchResponse)
	if resp.ErrorCode != 0 || len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return nil, fmt.Errorf("fetch %s/%d: unexpected response (error code %d)", p.topic, p.part, resp.ErrorCode)
	}
	return &resp.Topics[0].Partitions[0], nil
}

// batches follows raw record batches in offset order: a producer's
// transactional data batch opens (or continues) its transaction, its
// control batch (commit or abort) closes it; every data batch of an
// idempotent producer enters its window. It returns the offset after the
// last whole batch, or 0 when there was none.
func (sc *partScan) batches(raw []byte) int64 {
	var end int64
	for {
		batch, rest, ok := wire.NextBatch(raw)
		if !ok {
			break // a partial batch at the end of the response
		}
		raw = rest
		end = wire.BatchEnd(batch)
		if batch[wire.BatchMagic] != 2 {
			continue
		}
		attrs := int16(binary.BigEndian.Uint16(batch[wire.BatchAttributes:]))
		pid := int64(binary.BigEndian.Uint64(batch[wire.BatchProducerID:]))
		if attrs&wire.AttrControl != 0 {
			delete(sc.open, pid)
			continue
		}
		if attrs&wire.AttrTransactional != 0 {
			sc.open[pid] = int16(binary.BigEndian.Uint16(batch[wire.BatchProducerEpoch:]))
		}
		sc.seqs.add(sc.topic, sc.part, batch)
	}
	return end
}

// keepOngoing removes from open the producers whose transaction the
// cluster still has open on p: after a clean shutdown kfake restores the
// transactions that were open (as Kafka's coordinator keeps an Ongoing
// transaction across a restart), and their producers may still commit
// them. Only a crash leaves a transaction in the log that the cluster no
// longer knows.
func keepOngoing(ctx context.Context, cl *kgo.Client, p partitionRef, open map[int64]int16) error {
	req := kmsg.NewPtrDescribeProducersRequest()
	t := kmsg.NewDescribeProducersRequestTopic()
	t.Topic, t.Partitions = p.topic, []int32{p.part}
	req.Topics = append(req.Topics, t)
	kresp, err := cl.Broker(int(p.leader)).Request(ctx, req)
	if err != nil {
		return fmt.Errorf("describe producers of %s/%d: %w", p.topic, p.part, err)
	}
	for _, rt := range kresp.(*kmsg.DescribeProducersResponse).Topics {
		for _, rp := range rt.Partitions {
			if rp.ErrorCode != 0 {
				return fmt.Errorf("describe producers of %s/%d: error code %d", p.topic, p.part, rp.ErrorCode)
			}
			for _, ap := range rp.ActiveProducers {
				if ap.CurrentTxnStartOffset >= 0 {
					delete(open, ap.ProducerID)
				}
			}
		}
	}
	return nil
}

// writeMarkers asks the partition's leader to write a marker (commit or
// abort) for each producer, as the coordinator's WriteTxnMarkers does in
// Kafka.
func writeMarkers(ctx context.Context, cl *kgo.Client, p partitionRef, producers map[int64]int16, commit bool) error {
	req := kmsg.NewPtrWriteTxnMarkersRequest()
	for pid, epoch := range producers {
		m := kmsg.NewWriteTxnMarkersRequestMarker()
		m.ProducerID, m.ProducerEpoch, m.Committed, m.CoordinatorEpoch = pid, epoch, commit, 0
		mt := kmsg.NewWriteTxnMarkersRequestMarkerTopic()
		mt.Topic, mt.Partitions = p.topic, []int32{p.part}
		m.Topics = append(m.Topics, mt)
		req.Markers = append(req.Markers, m)
	}
	kresp, err := cl.Broker(int(p.leader)).Request(ctx, req)
	if err != nil {
		return fmt.Errorf("markers for %s/%d: %w", p.topic, p.part, err)
	}
	var errs []error
	for _, m := range kresp.(*kmsg.WriteTxnMarkersResponse).Markers {
		for _, t := range m.Topics {
			for _, pr := range t.Partitions {
				if pr.ErrorCode != 0 {
					errs = append(errs, fmt.Errorf("marker for producer %d in %s/%d: error code %d", m.ProducerID, t.Topic, pr.Partition, pr.ErrorCode))
				}
			}
		}
	}
	return errors.Join(errs...)
}
