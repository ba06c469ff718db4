// Package chaos injects faults into Kafka traffic and runs fault schedules.
//
// Network faults are Kafka-protocol aware: a link between a client and a
// broker reads the length-framed request and response streams, knows each
// frame's API key and correlation id, and can delay, drop, duplicate or
// rewrite single frames, black-hole or cut the connection, rate-limit it, or
// refuse it outright (a partition). The faults active at any moment live in
// an [Engine]; they can be changed while traffic flows and heal when cleared.
//
// There are two ways in. A [Dialer] plugs into sarama's Net.Proxy.Dialer so
// kq's own clients meet the faults against any cluster. A [Proxy] stands in
// front of a cluster with one local port per broker and rewrites the broker
// addresses in Metadata, FindCoordinator, DescribeCluster (and the leader
// hints of Produce, Fetch, ShareFetch and ShareAcknowledge) responses, so
// third-party clients reach the cluster only through it. A [ControlServer]
// and [ControlClient] let another process change a running proxy's faults.
//
// Faults are spelled as in [ParseFaults]; a [Schedule] picks fault windows
// from a seed, reproducibly, and a [Runner] applies and heals them: network
// faults through an [Engine], broker faults through a [BrokerTarget], client
// crashes through a [ClientTarget], and shell commands through an
// [ExecFault].
//
// Caveat: over TLS the frames are opaque, so only the faults that need no
// frame (latency, reset and blackhole without an API filter, bandwidth,
// partition) take effect on such connections.
package chaos
