package chaos

import "bufio"

// rawRequests pumps an opaque stream to the broker chunk by chunk; only
// faults without an API filter that need no frames apply, per chunk.
func (l *link) rawRequests(br *bufio.Reader) {
	buf := make([]byte, pumpBuffer)
	for {
		n, err := br.Read(buf)
		if n > 0 && l.rawRequest(buf[:n]) != nil {
			return
		}
		if err != nil {
			return
		}
	}
}

func (l *link) rawRequest(chunk []byte) error {
	if l.holed() {
		return nil
	}
	v := l.e.onRequest(l.addr, -1)
	switch {
	case v.blackhole != "":
		l.hole(v.blackhole)
		return nil
	case v.reset:
		l.close(true)
		return errLinkClosed
	case !l.sleep(v.delay):
		return errLinkClosed
	}
	return l.writeRaw(l.up, chunk)
}

// rawResponses pumps an opaque stream back to the client.
func (l *link) rawResponses(br *bufio.Reader) {
	buf := make([]byte, pumpBuffer)
	for {
		n, err := br.Read(buf)
		if n > 0 && !l.holed() && l.writeRaw(l.down, buf[:n]) != nil {
			return
		}
		if err != nil {
			return
		}
	}
}

func (l *link) writeRaw(w interface{ Write([]byte) (int, error) }, chunk []byte) error {
	if err := l.e.throttle(l.ctx, l.addr, -1, len(chunk)); err != nil {
		return err
	}
	_, err := w.Write(chunk)
	return err
}
