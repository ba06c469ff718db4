package chaos_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestProxyAndBrokerSurviveHostileInput sends through kq chaos proxy the
// byte streams that crashed the built-in broker behind it (issue 12):
// each connection must be closed, and the proxy and the broker must keep
// serving a normal client.
func TestProxyAndBrokerSurviveHostileInput(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	p := startProxy(t, b, nil)
	inputs := map[string][]byte{
		"six bytes, unknown api key":   {0, 0, 0, 2, 'k', 'q'},
		"unknown api key, full header": {0, 0, 0, 10, 0x6b, 0x71, 0, 0, 0, 0, 0, 1, 0xff, 0xff},
		"http request":                 []byte("GET / HTTP/1.1\r\nHost: proxy\r\n\r\n"),
		"tls client hello":             {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03},
		"4 GiB prefix":                 {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0},
	}
	for name, data := range inputs {
		c, err := net.DialTimeout("tcp", p.Bootstrap(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: connection left open", name)
		}
		c.Close()
	}
	if b.Refused() == 0 {
		t.Error("the broker refused nothing: the inputs did not reach it")
	}
	prod, err := proxyFactory(p).SyncProducer()
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if _, _, err := prod.SendMessage(&sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("still up")}); err != nil {
		t.Fatalf("produce through the proxy after hostile input: %v", err)
	}
}
