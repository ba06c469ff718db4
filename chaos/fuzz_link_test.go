package chaos

import (
	"io"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FuzzLinkRequests sends each input as a client's byte stream through the
// frame pump of a link (the code behind kq chaos proxy and the in-process
// dialer) to a fake broker, with response rewriting faults on: the link
// must neither panic nor hang.
func FuzzLinkRequests(f *testing.F) {
	for _, v := range []int16{3, 9} {
		f.Add(reqFrame(produceReq(v, -1), 1))
		f.Add(reqFrame(produceReq(v, 0), 2))
		f.Add(append(reqFrame(metadataReq(v), 3), reqFrame(produceReq(v, 1), 4)...))
	}
	f.Add(reqFrame(withVersion(kmsg.NewPtrSASLHandshakeRequest(), 0), 5))
	f.Add([]byte{0, 0, 0, 2, 'k', 'q'})                                  // issue 12: six bytes that crashed kfake
	f.Add([]byte{0, 0, 0, 10, 0x6b, 0x71, 0, 0, 0, 0, 0, 1, 0xff, 0xff}) // unknown api key, full header
	f.Add([]byte("GET / HTTP/1.1\r\nHost: proxy\r\n\r\n"))
	f.Add([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	b := startFakeBroker(f, BrokerAddr{Node: 1, Host: "127.0.0.1", Port: 1})
	e := NewEngine(EngineOptions{Seed: 1})
	for _, fault := range []Fault{
		{Kind: ResponseError, Probability: 0.5, ErrorCode: 7},
		{Kind: DuplicateRequest, Probability: 0.3},
		{Kind: DropResponse, Probability: 0.2},
	} {
		if _, err := e.Set(fault); err != nil {
			f.Fatal(err)
		}
	}
	d := NewDialer(e, DialerOptions{Timeout: 5 * time.Second})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := d.Dial("tcp", b.addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() { _, _ = c.Write(data) }()
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, _ = io.Copy(io.Discard, c)
	})
}
