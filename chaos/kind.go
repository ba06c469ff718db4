package chaos

import "slices"

// Kind names a fault of the catalogue; its value is the user-facing
// spelling.
type Kind string

// Network faults, applied by an [Engine] to the links it carries.
const (
	// Latency delays matching requests by Delay, plus or minus a uniform
	// Jitter.
	Latency Kind = "latency"
	// Reset closes the connection when a matching request arrives, before
	// it reaches the broker.
	Reset Kind = "reset"
	// Blackhole stops a connection dead when a matching request arrives:
	// nothing more goes either way, the socket stays open, and the
	// connection is cut when the fault heals.
	Blackhole Kind = "blackhole"
	// DropResponse delivers a matching request and swallows its response:
	// the ambiguous write.
	DropResponse Kind = "drop-response"
	// DropRequest swallows a matching request, then resets the connection.
	DropRequest Kind = "drop-request"
	// DuplicateRequest sends a matching request to the broker twice and
	// hands the client the first response only.
	DuplicateRequest Kind = "duplicate-request"
	// Partition refuses new connections to the target and cuts live ones.
	Partition Kind = "partition"
	// Bandwidth limits the bytes per second carried to and from the target.
	Bandwidth Kind = "bandwidth"
	// ResponseError sets ErrorCode on every partition of a matching
	// Produce response: the broker did append, the client hears it failed.
	ResponseError Kind = "response-error"
)

// Broker faults, applied to the built-in broker through a [BrokerTarget].
const (
	// BrokerError answers the next Count requests of each API with
	// ErrorCode, without processing them.
	BrokerError Kind = "broker-error"
	// BrokerSlow delays every request of the APIs by Delay.
	BrokerSlow Kind = "broker-slow"
	// KillNode stops the target node; it comes back when the fault heals.
	KillNode Kind = "kill-node"
	// LeaderMove moves partition leaders to other nodes.
	LeaderMove Kind = "leader-move"
	// CoordinatorMove moves group and transaction coordinators.
	CoordinatorMove Kind = "coordinator-move"
	// RestartCluster closes the cluster and reopens it from its data dir.
	RestartCluster Kind = "restart-cluster"
	// ISRShrink takes every follower out of the in-sync replicas for the
	// window (the broker's replication model): acks=all is then answered
	// by the leader alone, or refused where min.insync.replicas is higher,
	// and a leader change in the window loses what only the leader had.
	ISRShrink Kind = "isr-shrink"
)

// Client faults, applied through a [ClientTarget]: the client is abandoned
// mid-flight (no flush, no commit, no close handshake) and a fresh one with
// the same ids takes over.
const (
	// CrashProducer crashes a producer.
	CrashProducer Kind = "crash-producer"
	// CrashConsumer crashes a consumer.
	CrashConsumer Kind = "crash-consumer"
	// CrashCopier crashes a transactional copier.
	CrashCopier Kind = "crash-copier"
)

// Exec runs the start command of an [ExecFault] when its window opens and
// the end command when it closes.
const Exec Kind = "exec"

// Layer says which part of kq applies a fault.
type Layer int

// Layers of the catalogue.
const (
	// LayerNetwork faults are applied by an [Engine].
	LayerNetwork Layer = iota + 1
	// LayerBroker faults are applied through a [BrokerTarget].
	LayerBroker
	// LayerClient faults are applied through a [ClientTarget].
	LayerClient
	// LayerExec faults run shell commands through an [ExecFault].
	LayerExec
)

// String returns the layer's name.
func (l Layer) String() string {
	switch l {
	case LayerNetwork:
		return "network"
	case LayerBroker:
		return "broker"
	case LayerClient:
		return "client"
	case LayerExec:
		return "exec"
	}
	return "unknown"
}

// Kinds returns every kind of the catalogue, in documentation order.
func Kinds() []Kind {
	return []Kind{
		Latency, Reset, Blackhole, DropResponse, DropRequest, DuplicateRequest, Partition, Bandwidth, ResponseError,
		BrokerError, BrokerSlow, KillNode, LeaderMove, CoordinatorMove, RestartCluster, ISRShrink,
		CrashProducer, CrashConsumer, CrashCopier,
		Exec,
	}
}

// Layer returns the layer that applies k, or 0 for an unknown kind.
func (k Kind) Layer() Layer { return k.info().layer }

// Known reports whether k is in the catalogue.
func (k Kind) Known() bool { return k.Layer() != 0 }

// kindInfo describes a kind: its layer, the parameter keys it takes and
// whether a scheduled window must pick it a node as target.
type kindInfo struct {
	layer       Layer
	params      []string
	needsTarget bool
}

// info returns k's description; the zero kindInfo for an unknown kind.
func (k Kind) info() kindInfo {
	net := func(params ...string) kindInfo { return kindInfo{layer: LayerNetwork, params: params} }
	switch k {
	case Latency:
		return net(keyAPI, keyTarget, keyP, keyDelay, keyJitter)
	case Reset, Blackhole, DropResponse, DropRequest, DuplicateRequest:
		return net(keyAPI, keyTarget, keyP)
	case Partition:
		return kindInfo{layer: LayerNetwork, params: []string{keyTarget}, needsTarget: true}
	case Bandwidth:
		return net(keyAPI, keyTarget, keyRate)
	case ResponseError:
		return net(keyAPI, keyTarget, keyP, keyCode)
	case BrokerError:
		return kindInfo{layer: LayerBroker, params: []string{keyAPI, keyCode, keyCount}}
	case BrokerSlow:
		return kindInfo{layer: LayerBroker, params: []string{keyAPI, keyDelay}}
	case KillNode:
		return kindInfo{layer: LayerBroker, params: []string{keyTarget}, needsTarget: true}
	case LeaderMove, CoordinatorMove, RestartCluster:
		return kindInfo{layer: LayerBroker}
	case ISRShrink:
		return kindInfo{layer: LayerBroker, params: []string{keyCount}}
	case CrashProducer, CrashConsumer, CrashCopier:
		return kindInfo{layer: LayerClient}
	case Exec:
		return kindInfo{layer: LayerExec, params: []string{keyTarget}}
	}
	return kindInfo{}
}

// takes reports whether the kind accepts the parameter key.
func (i kindInfo) takes(key string) bool {
	return slices.Contains(i.params, key)
}
