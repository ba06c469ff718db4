package chaos

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// proxyHook rewrites the broker addresses of the responses a proxy
// forwards, and clamps ApiVersions answers so clients only use versions of
// those responses that kmsg can decode.
type proxyHook struct{ p *Proxy }

func (proxyHook) wants(key, version int16) bool {
	return key == wire.APIVersionsKey || namesBrokers(key, version)
}

func (h proxyHook) rewrite(key, version int16, body []byte) ([]byte, error) {
	if key == wire.APIVersionsKey {
		return clampVersions(version, body), nil
	}
	var mapErr error
	out, err := RewriteAddrs(key, version, body, func(b BrokerAddr) (string, int32) {
		host, port, err := h.p.mapBroker(b)
		if err != nil && mapErr == nil {
			mapErr = err
		}
		return host, port
	})
	if err != nil {
		return nil, err
	}
	return out, mapErr
}

// clampVersions lowers the max version the broker advertises for every API
// whose responses name brokers to the newest kmsg knows. An answer that
// does not decode, or carries an error, is left alone.
func clampVersions(version int16, body []byte) []byte {
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.SetVersion(version)
	if decodeBounded(resp, body, decodeTimeout) != nil || resp.ErrorCode != 0 {
		return body
	}
	changed := false
	for i := range resp.ApiKeys {
		k := &resp.ApiKeys[i]
		if !namesBrokers(k.ApiKey, k.MaxVersion) {
			continue
		}
		if known := kmsg.ResponseForKey(k.ApiKey).MaxVersion(); k.MaxVersion > known {
			k.MaxVersion, changed = known, true
		}
	}
	if !changed {
		return body
	}
	return resp.AppendTo(nil)
}
