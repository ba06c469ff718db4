package broker

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// stopListening takes a TCP listener out of the listening state while it
// keeps its port: shutdown(SHUT_RD) stops a Linux listening socket (a
// pending accept fails, new connections are refused), and a socket bound
// to port 0 is bound again to its port, which the shutdown let go.
func stopListening(ln net.Listener) bool {
	rc, _, ok := socketOf(ln)
	if !ok {
		return false
	}
	stopped := false
	_ = rc.Control(func(fd uintptr) {
		sa, err := syscall.Getsockname(int(fd))
		if err != nil || syscall.Shutdown(int(fd), syscall.SHUT_RD) != nil {
			return
		}
		// EINVAL: still bound (an explicit port keeps its binding).
		err = syscall.Bind(int(fd), sa)
		stopped = err == nil || errors.Is(err, syscall.EINVAL)
	})
	return stopped
}

// startListening makes a socket stopped by stopListening listen again,
// and fails when it is no longer on its port.
func startListening(ln net.Listener) error {
	rc, port, ok := socketOf(ln)
	if !ok {
		return errors.New("not a TCP listener")
	}
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		if err = syscall.Listen(int(fd), syscall.SOMAXCONN); err != nil {
			return
		}
		var now syscall.Sockaddr
		if now, err = syscall.Getsockname(int(fd)); err == nil && portOf(now) != port {
			err = fmt.Errorf("listening on port %d instead of %d", portOf(now), port)
		}
	}); cerr != nil {
		return cerr
	}
	return err
}

// socketOf returns a TCP listener's raw socket and port.
func socketOf(ln net.Listener) (syscall.RawConn, int, bool) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, 0, false
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return nil, 0, false
	}
	return rc, tl.Addr().(*net.TCPAddr).Port, true
}

func portOf(sa syscall.Sockaddr) int {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return a.Port
	case *syscall.SockaddrInet6:
		return a.Port
	}
	return -1
}
