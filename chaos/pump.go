package chaos

import (
	"bufio"
	"encoding/binary"
	"errors"

	"github.com/kq-dev/kq/internal/wire"
)

// pumpBuffer is the read buffer of each pump.
const pumpBuffer = 64 << 10

// requests pumps client frames to the broker until either side ends.
func (l *link) requests() {
	defer l.close(false)
	br := bufio.NewReaderSize(l.down, pumpBuffer)
	if !l.classify(br) {
		return
	}
	if l.opaque.Load() {
		l.rawRequests(br)
		return
	}
	for {
		frame, err := wire.ReadFrame(br, wire.MaxFrameSize)
		if err != nil {
			return
		}
		switch err := l.request(frame); {
		case errors.Is(err, errGoRaw):
			l.rawRequests(br)
			return
		case err != nil:
			return
		}
	}
}

// errGoRaw switches a link's request stream to opaque mode.
var errGoRaw = errors.New("chaos: raw stream follows")

// saslHandshakeKey is the SaslHandshake API key: after version 0 of it,
// SASL tokens follow as bare length-prefixed frames without a header.
const saslHandshakeKey = 17

// request applies the engine's decision to one request frame.
func (l *link) request(frame []byte) error {
	h, err := wire.ParseRequestHeader(frame)
	if err != nil {
		return err
	}
	if l.holed() {
		return nil
	}
	v := l.e.onRequest(l.addr, h.Key)
	switch {
	case v.blackhole != "":
		l.hole(v.blackhole)
		return nil
	case v.reset || v.dropRequest:
		l.close(true)
		return errLinkClosed
	}
	if err := l.expect(h, frame, v); err != nil {
		return err
	}
	if !l.sleep(v.delay) {
		return errLinkClosed
	}
	if err := l.writeFrame(l.up, h.Key, frame); err != nil {
		return err
	}
	if v.duplicate {
		return l.writeFrame(l.up, h.Key, frame)
	}
	if h.Key == saslHandshakeKey && h.Version == 0 {
		return errGoRaw // responses keep their framing and pass through unmatched
	}
	return nil
}

// expect records a request that will be answered, with the response
// faults chosen for it.
func (l *link) expect(h wire.RequestHeader, frame []byte, v decision) error {
	if !expectsResponse(h, frame) {
		return nil
	}
	p := &pending{key: h.Key, version: h.Version, copies: 1, drop: v.dropResponse, errCode: v.errCode}
	if v.duplicate {
		p.copies = 2
	}
	return l.flight.add(h.CorrelationID, p)
}

// responses pumps broker frames to the client until either side ends.
func (l *link) responses() {
	defer l.close(false)
	if !l.waitDecided() {
		return
	}
	br := bufio.NewReaderSize(l.up, pumpBuffer)
	if l.opaque.Load() {
		l.rawResponses(br)
		return
	}
	for {
		frame, err := wire.ReadFrame(br, wire.MaxFrameSize)
		if err != nil || l.response(frame) != nil {
			return
		}
	}
}

// errShortResponse marks a response frame without a correlation id.
var errShortResponse = errors.New("chaos: response frame without correlation id")

// response forwards one response frame, unless a fault swallows it, after
// the error rewrite and the link's hook.
func (l *link) response(frame []byte) error {
	if len(frame) < 4 {
		return errShortResponse
	}
	if l.holed() {
		return nil
	}
	p, forward, ok := l.flight.answer(int32(binary.BigEndian.Uint32(frame)))
	switch {
	case !ok:
		return l.writeFrame(l.down, -1, frame) // not ours to judge: pass it on
	case !forward || p.drop:
		return nil
	}
	out, err := l.transform(p, frame)
	if err != nil {
		return err
	}
	return l.writeFrame(l.down, p.key, out)
}

// transform applies the error rewrite and the hook to a response frame.
func (l *link) transform(p pending, frame []byte) ([]byte, error) {
	hook := l.hook != nil && l.hook.wants(p.key, p.version)
	if p.errCode == 0 && !hook {
		return frame, nil
	}
	h, err := wire.ParseResponseHeader(frame, p.key, p.version)
	if err != nil {
		return nil, err
	}
	body := frame[h.BodyOffset:]
	if p.errCode != 0 {
		if body, err = setProduceError(p.version, body, p.errCode); err != nil {
			return nil, err
		}
	}
	if hook {
		if body, err = l.hook.rewrite(p.key, p.version, body); err != nil {
			return nil, err
		}
	}
	return append(frame[:h.BodyOffset:h.BodyOffset], body...), nil
}
