package rdmock

import (
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// readAll reads every record of a three-partition topic with kq's sarama
// consumer, from the oldest offset to the high watermark of each partition
// as it was at the start.
func readAll(f conn.Factory, topic string, iso sarama.IsolationLevel) ([]record, error) {
	client, err := f.Client(func(c *sarama.Config) { c.Consumer.IsolationLevel = iso })
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	defer client.Close()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return nil, fmt.Errorf("consumer: %w", err)
	}
	defer consumer.Close()
	var out []record
	for p := range int32(3) {
		recs, err := readPartition(client, consumer, topic, p)
		if err != nil {
			return out, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func readPartition(client sarama.Client, consumer sarama.Consumer, topic string, p int32) ([]record, error) {
	end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		return nil, fmt.Errorf("end offset of %s/%d: %w", topic, p, err)
	}
	if end == 0 {
		return nil, nil
	}
	pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
	if err != nil {
		return nil, fmt.Errorf("consume %s/%d: %w", topic, p, err)
	}
	defer pc.Close()
	var out []record
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-pc.Messages():
			out = append(out, fromSarama(m))
			if m.Offset >= end-1 {
				return out, nil
			}
		case err := <-pc.Errors():
			return out, fmt.Errorf("consume %s/%d: %w", topic, p, err)
		case <-deadline:
			return out, fmt.Errorf("consume %s/%d: offset %d not reached in 10s", topic, p, end-1)
		}
	}
}

// produceAll writes n keyed records with a header through kq's sarama
// producer and returns them.
func produceAll(f conn.Factory, topic string, n int, mods ...func(*sarama.Config)) ([]record, error) {
	p, err := f.SyncProducer(mods...)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	defer p.Close()
	msgs, recs := testMessages(topic, "lib", n)
	if err := p.SendMessages(msgs); err != nil {
		return nil, err
	}
	return recs, nil
}

// testMessages returns n messages and the records they make.
func testMessages(topic, prefix string, n int) ([]*sarama.ProducerMessage, []record) {
	var msgs []*sarama.ProducerMessage
	var recs []record
	for i := range n {
		k, v := fmt.Sprintf("%s-k%d", prefix, i), fmt.Sprintf("%s-v%d \u00e9", prefix, i)
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(k), Value: sarama.StringEncoder(v),
			Headers: []sarama.RecordHeader{{Key: []byte("i"), Value: fmt.Appendf(nil, "%d", i)}}})
		recs = append(recs, record{key: &k, value: &v, headers: []string{fmt.Sprintf("i=%d", i)}})
	}
	return msgs, recs
}
