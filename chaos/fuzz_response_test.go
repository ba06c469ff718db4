package chaos

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func FuzzSetProduceError(f *testing.F) {
	for _, v := range []int16{0, 3, 9, 11} {
		resp := withVersion(kmsg.NewPtrProduceResponse(), v)
		resp.Topics = []kmsg.ProduceResponseTopic{{Topic: "t", Partitions: []kmsg.ProduceResponseTopicPartition{{Partition: 2, BaseOffset: 40}}}}
		f.Add(v, resp.AppendTo(nil))
	}
	f.Fuzz(func(t *testing.T, version int16, body []byte) {
		out, err := setProduceError(version, body, 7)
		if err != nil {
			return
		}
		resp := withVersion(kmsg.NewPtrProduceResponse(), version)
		if err := resp.ReadFrom(out); err != nil {
			t.Fatalf("v%d: rewritten response does not decode: %v", version, err)
		}
		for _, tp := range resp.Topics {
			for _, p := range tp.Partitions {
				if p.ErrorCode != 7 {
					t.Fatalf("v%d: partition %d kept error %d", version, p.Partition, p.ErrorCode)
				}
			}
		}
	})
}

func FuzzClampVersions(f *testing.F) {
	for _, v := range []int16{0, 3, 4} {
		resp := withVersion(kmsg.NewPtrApiVersionsResponse(), v)
		resp.ApiKeys = []kmsg.ApiVersionsResponseApiKey{{ApiKey: 3, MaxVersion: 99}, {ApiKey: 0, MaxVersion: 11}}
		f.Add(v, resp.AppendTo(nil))
	}
	f.Fuzz(func(t *testing.T, version int16, body []byte) {
		out := clampVersions(version, body)
		resp := withVersion(kmsg.NewPtrApiVersionsResponse(), version)
		if sameSlice(out, body) || resp.ReadFrom(out) != nil {
			return // left alone
		}
		for _, k := range resp.ApiKeys {
			if namesBrokers(k.ApiKey, k.MaxVersion) && k.MaxVersion > kmsg.ResponseForKey(k.ApiKey).MaxVersion() {
				t.Fatalf("v%d: %s still advertised up to v%d", version, APIName(k.ApiKey), k.MaxVersion)
			}
		}
	})
}

// sameSlice reports whether a and b are the same slice.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func TestClampVersions(t *testing.T) {
	resp := withVersion(kmsg.NewPtrApiVersionsResponse(), 3)
	resp.ApiKeys = []kmsg.ApiVersionsResponseApiKey{{ApiKey: 3, MaxVersion: 99}, {ApiKey: 0, MaxVersion: 8}, {ApiKey: 19, MaxVersion: 99}}
	out := withVersion(kmsg.NewPtrApiVersionsResponse(), 3)
	if err := out.ReadFrom(clampVersions(3, resp.AppendTo(nil))); err != nil {
		t.Fatal(err)
	}
	want := []int16{kmsg.NewPtrMetadataResponse().MaxVersion(), 8, 99}
	for i, k := range out.ApiKeys {
		if k.MaxVersion != want[i] {
			t.Fatalf("%s max v%d, want v%d", APIName(k.ApiKey), k.MaxVersion, want[i])
		}
	}
	body := []byte{0, 35}
	if got := clampVersions(3, body); !sameSlice(got, body) {
		t.Fatal("an undecodable answer was changed")
	}
}
