package broker

import (
	"strconv"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func cfg(name, value string, src kmsg.ConfigSource, syns ...kmsg.DescribeConfigsResponseResourceConfigConfigSynonym) kmsg.DescribeConfigsResponseResourceConfig {
	c := kmsg.NewDescribeConfigsResponseResourceConfig()
	c.Name, c.Value, c.Source, c.ConfigSynonyms = name, &value, src, syns
	return c
}

func syn(name, value string, src kmsg.ConfigSource) kmsg.DescribeConfigsResponseResourceConfigConfigSynonym {
	s := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
	s.Name, s.Value, s.Source = name, &value, src
	return s
}

// shown returns each config of r as name=value/source.
func shown(r kmsg.DescribeConfigsResponseResource) map[string]string {
	out := map[string]string{}
	for _, c := range r.Configs {
		out[c.Name] = *c.Value + "/" + c.Source.String()
		for _, s := range c.ConfigSynonyms {
			out[c.Name+" synonym "+s.Source.String()] = *s.Value
		}
	}
	return out
}

func TestShowSegmentDefault(t *testing.T) {
	ours, kfakes := strconv.Itoa(segmentBytes), strconv.Itoa(100<<20)
	resource := func(typ kmsg.ConfigResourceType, cs ...kmsg.DescribeConfigsResponseResourceConfig) kmsg.DescribeConfigsResponseResource {
		r := kmsg.NewDescribeConfigsResponseResource()
		r.ResourceType, r.Configs = typ, cs
		return r
	}
	resp := kmsg.NewPtrDescribeConfigsResponse()
	resp.Resources = []kmsg.DescribeConfigsResponseResource{
		// A topic as kfake describes it with kq's broker setting.
		resource(kmsg.ConfigResourceTypeTopic,
			cfg("segment.bytes", kfakes, kmsg.ConfigSourceDefaultConfig),
			cfg("log.segment.bytes", ours, kmsg.ConfigSourceDynamicBrokerConfig),
			cfg("retention.ms", "1000", kmsg.ConfigSourceDynamicTopicConfig)),
		// A topic with its own segment.bytes.
		resource(kmsg.ConfigResourceTypeTopic,
			cfg("segment.bytes", "1024", kmsg.ConfigSourceDynamicTopicConfig, syn("segment.bytes", kfakes, kmsg.ConfigSourceDefaultConfig)),
			cfg("log.segment.bytes", ours, kmsg.ConfigSourceDynamicBrokerConfig)),
		// A topic after someone set the broker's log.segment.bytes.
		resource(kmsg.ConfigResourceTypeTopic,
			cfg("segment.bytes", kfakes, kmsg.ConfigSourceDefaultConfig),
			cfg("log.segment.bytes", "2048", kmsg.ConfigSourceDynamicBrokerConfig)),
		// The broker.
		resource(kmsg.ConfigResourceTypeBroker,
			cfg("log.segment.bytes", ours, kmsg.ConfigSourceDynamicBrokerConfig, syn("log.segment.bytes", kfakes, kmsg.ConfigSourceDefaultConfig))),
	}
	if !showSegmentDefault(resp) {
		t.Fatal("nothing changed")
	}
	want := []map[string]string{
		{"segment.bytes": ours + "/DEFAULT_CONFIG", "retention.ms": "1000/DYNAMIC_TOPIC_CONFIG"},
		{"segment.bytes": "1024/DYNAMIC_TOPIC_CONFIG", "segment.bytes synonym DEFAULT_CONFIG": ours},
		{"segment.bytes": kfakes + "/DEFAULT_CONFIG", "log.segment.bytes": "2048/DYNAMIC_BROKER_CONFIG"},
		{"log.segment.bytes": ours + "/DEFAULT_CONFIG"},
	}
	for i, r := range resp.Resources {
		got := shown(r)
		if len(got) != len(want[i]) {
			t.Errorf("resource %d: %v, want %v", i, got, want[i])
			continue
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("resource %d: %s = %q, want %q (all: %v)", i, k, got[k], v, got)
			}
		}
	}
	if !resp.Resources[3].Configs[0].IsDefault {
		t.Error("the broker's log.segment.bytes is not marked default")
	}
}
