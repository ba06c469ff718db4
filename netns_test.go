package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"

	"github.com/rogpeppe/go-internal/testscript"
)

// netnsSeq numbers the scripts' sets of namespaces within this process.
var netnsSeq atomic.Int32

// netnsCondition reports whether this machine lets a test make network
// namespaces (root, iproute2's ip, the capability): the condition
// [netns]. With KQ_REQUIRE_NETNS=1 (CI) it is an error not to.
func netnsCondition() (bool, error) {
	ok, why := canMakeNetns()
	if !ok && os.Getenv("KQ_REQUIRE_NETNS") == "1" {
		return false, fmt.Errorf("KQ_REQUIRE_NETNS=1 but network namespaces cannot be made: %s", why)
	}
	return ok, nil
}

func canMakeNetns() (bool, string) {
	if os.Geteuid() != 0 {
		return false, "not root"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return false, "no ip command (iproute2)"
	}
	probe := fmt.Sprintf("kqprobe%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		return false, fmt.Sprintf("ip netns add: %s", strings.TrimSpace(string(out)))
	}
	_ = exec.Command("ip", "netns", "del", probe).Run()
	return true, ""
}

// cmdNetns makes a small network of hosts for a script: a bridge in the
// test's network namespace (with no address: nothing of the test's host
// is reachable through it) and, per NAME, a namespace joined to it by a
// veth pair, with its own loopback and the address 198.18.N.(10+i)/24 from
// the benchmarking range (RFC 2544), which no real network uses. It exports
// NS_NAME (the namespace, for ip netns exec) and IP_NAME; all of it is
// removed when the script ends.
//
//	netns NAME...
func cmdNetns(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: netns NAME...")
	}
	prefix := fmt.Sprintf("kq%d%c", os.Getpid()%100000, 'a'+netnsSeq.Add(1)%26)
	subnet := 20 + os.Getpid()%200
	run := func(args ...string) {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			ts.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	bridge := prefix + "br"
	run("link", "add", bridge, "type", "bridge")
	ts.Defer(func() { _ = exec.Command("ip", "link", "del", bridge).Run() })
	run("link", "set", bridge, "up")
	for i, name := range args {
		ns, host, peer := fmt.Sprintf("%s%d", prefix, i), fmt.Sprintf("%sh%d", prefix, i), fmt.Sprintf("%sn%d", prefix, i)
		addr := fmt.Sprintf("198.18.%d.%d", subnet, 10+i)
		run("netns", "add", ns)
		ts.Defer(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		run("link", "add", host, "type", "veth", "peer", "name", peer)
		run("link", "set", peer, "netns", ns)
		run("link", "set", host, "master", bridge)
		run("link", "set", host, "up")
		run("netns", "exec", ns, "ip", "link", "set", "lo", "up")
		run("netns", "exec", ns, "ip", "addr", "add", addr+"/24", "dev", peer)
		run("netns", "exec", ns, "ip", "link", "set", peer, "up")
		ts.Setenv("NS_"+name, ns)
		ts.Setenv("IP_"+name, addr)
	}
}
