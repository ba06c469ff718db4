package broker_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/testutil"
)

// hostileStreams are what the load test's attackers send, each on its own
// connection that stays open: lying length prefixes, frames cut short
// after a 100 MiB claim, random bytes, HTTP and TLS clients.
func hostileStreams(rng *rand.Rand) [][]byte {
	var out [][]byte
	for range 20 {
		out = append(out, append([]byte{0xff, 0xff, 0xff, 0xf0}, make([]byte, 16)...)) // 4 GiB
	}
	for range 5 { // a plausible 100 MiB Metadata request that never finishes
		h := binary.BigEndian.AppendUint32(nil, 100<<20)
		h = append(h, 0, 3, 0, 1, 0, 0, 0, 1, 0xff, 0xff)
		out = append(out, append(h, make([]byte, 1024)...))
	}
	for range 40 {
		b := make([]byte, 4096)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		out = append(out, b)
	}
	for range 10 {
		out = append(out, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03})
	}
	return out
}

// TestHostileLoadStaysBounded opens many hostile connections against a
// broker and a chaos proxy in front of it while a normal client produces
// and consumes through both; the client must keep working and the
// process's Go heap must stay far below what the lying prefixes claim
// (kfake alone allocated every claimed length: gigabytes here).
func TestHostileLoadStaysBounded(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"load": 1}})
	p, err := chaos.StartProxy(chaos.ProxyOptions{Upstreams: b.Addrs(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	heapBefore := heapInUse()

	var conns []net.Conn
	var mu sync.Mutex
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	rng := rand.New(rand.NewPCG(12, 12))
	var wg sync.WaitGroup
	for _, target := range []string{b.Addrs()[0], p.Bootstrap()} {
		for _, data := range hostileStreams(rng) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.DialTimeout("tcp", target, 5*time.Second)
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
				_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Write(data)
			}()
		}
	}

	for _, via := range []string{b.Addrs()[0], p.Bootstrap()} {
		produceAndConsume(t, via, 100)
	}
	wg.Wait()
	if grown := heapInUse() - heapBefore; grown > 256<<20 {
		t.Fatalf("Go heap grew by %d MiB under hostile connections", grown>>20)
	}
	if b.Refused() < 100 {
		t.Fatalf("the broker refused %d connections, want most of the hostile ones", b.Refused())
	}
}

// produceAndConsume produces n records through addr and reads them back.
func produceAndConsume(t *testing.T, addr string, n int) {
	t.Helper()
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{addr}, Timeout: 10 * time.Second}}
	prod, err := f.SyncProducer(func(c *sarama.Config) { c.Version = sarama.V2_8_0_0 })
	if err != nil {
		t.Fatalf("producer via %s: %v", addr, err)
	}
	defer prod.Close()
	var first int64 = -1
	for i := range n {
		_, off, err := prod.SendMessage(&sarama.ProducerMessage{Topic: "load", Value: sarama.StringEncoder(fmt.Sprint(i))})
		if err != nil {
			t.Fatalf("produce %d via %s during the attack: %v", i, addr, err)
		}
		if first < 0 {
			first = off
		}
	}
	cons, err := f.Consumer(func(c *sarama.Config) { c.Version = sarama.V2_8_0_0 })
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition("load", 0, first)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	deadline := time.After(60 * time.Second)
	for i := range n {
		select {
		case m := <-pc.Messages():
			if string(m.Value) != fmt.Sprint(i) {
				t.Fatalf("consumed %q at %d, want %d", m.Value, m.Offset, i)
			}
		case <-deadline:
			t.Fatalf("consumed %d of %d records via %s during the attack", i, n, addr)
		}
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
