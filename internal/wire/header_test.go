package wire

import (
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestParseRequestHeader(t *testing.T) {
	for _, tc := range []struct {
		name     string
		req      kmsg.Request
		flexible bool
	}{
		{"produce v3", withVersion(kmsg.NewPtrProduceRequest(), 3), false},
		{"produce v9 flexible", withVersion(kmsg.NewPtrProduceRequest(), 9), true},
		{"metadata v12 flexible", withVersion(kmsg.NewPtrMetadataRequest(), 12), true},
		{"api versions v3 flexible", withVersion(kmsg.NewPtrApiVersionsRequest(), 3), true},
		{"fetch v4", withVersion(kmsg.NewPtrFetchRequest(), 4), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := reqFrame(tc.req, 4242)[4:]
			h, err := ParseRequestHeader(frame)
			if err != nil {
				t.Fatal(err)
			}
			if h.Key != tc.req.Key() || h.Version != tc.req.GetVersion() || h.CorrelationID != 4242 {
				t.Fatalf("header = %+v", h)
			}
			if h.ClientID == nil || *h.ClientID != "test-client" {
				t.Fatalf("client id = %v", h.ClientID)
			}
			if h.Flexible != tc.flexible || !h.Known {
				t.Fatalf("flexible = %v known = %v, want %v true", h.Flexible, h.Known, tc.flexible)
			}
			// The body must decode from BodyOffset.
			body := tc.req.ResponseKind().RequestKind()
			body.SetVersion(h.Version)
			if err := body.ReadFrom(frame[h.BodyOffset:]); err != nil {
				t.Fatalf("body at offset %d does not decode: %v", h.BodyOffset, err)
			}
		})
	}
}

func TestParseRequestHeaderControlledShutdownV0(t *testing.T) {
	req := withVersion(kmsg.NewPtrControlledShutdownRequest(), 0)
	req.BrokerID = 7
	frame := reqFrame(req, 9)[4:]
	h, err := ParseRequestHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.ClientID != nil || h.BodyOffset != 8 {
		t.Fatalf("header = %+v, want no client id and body at 8", h)
	}
}

func TestParseRequestHeaderShort(t *testing.T) {
	frame := reqFrame(withVersion(kmsg.NewPtrMetadataRequest(), 12), 1)[4:]
	for _, cut := range []int{0, 3, 7, 9} {
		if _, err := ParseRequestHeader(frame[:cut]); !errors.Is(err, ErrShortHeader) {
			t.Fatalf("cut at %d: err = %v, want ErrShortHeader", cut, err)
		}
	}
}

func TestParseResponseHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		resp kmsg.Response
		off  int
	}{
		{"metadata v8 header v0", withVersion(kmsg.NewPtrMetadataResponse(), 8), 4},
		{"metadata v9 header v1", withVersion(kmsg.NewPtrMetadataResponse(), 9), 5},
		{"api versions v3 always header v0", withVersion(kmsg.NewPtrApiVersionsResponse(), 3), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := respPayload(tc.resp, 77)
			h, err := ParseResponseHeader(frame, tc.resp.Key(), tc.resp.GetVersion())
			if err != nil {
				t.Fatal(err)
			}
			if h.CorrelationID != 77 || h.BodyOffset != tc.off {
				t.Fatalf("header = %+v, want correlation 77 body at %d", h, tc.off)
			}
		})
	}
}
