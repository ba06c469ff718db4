package chaos

import "strconv"

// kindDescriptions are the one-line descriptions of the catalogue, for
// help text and `kq chaos faults`.
var kindDescriptions = map[Kind]string{
	Latency:          "delay matching requests by delay ± jitter",
	Reset:            "close the connection when a matching request arrives, before the broker sees it",
	Blackhole:        "freeze the connection at a matching request: nothing passes either way; cut when the fault heals",
	DropResponse:     "deliver a matching request and swallow its response: the ambiguous write",
	DropRequest:      "swallow a matching request, then reset the connection",
	DuplicateRequest: "send a matching request to the broker twice; the client gets the first response",
	Partition:        "refuse new connections to the target and cut live ones (no target: every broker; in a schedule, a random one)",
	Bandwidth:        "limit the bytes per second carried to and from the target",
	ResponseError:    "answer a matching produce with an error code although the broker appended it",
	BrokerError:      "built-in broker: fail the next n requests of each API with code, unprocessed",
	BrokerSlow:       "built-in broker: delay every request of the APIs by delay",
	KillNode:         "built-in broker: stop the target node; it restarts when the fault heals",
	LeaderMove:       "built-in broker: move partition leaders to other nodes",
	CoordinatorMove:  "built-in broker: move group and transaction coordinators",
	RestartCluster:   "built-in broker: close the cluster and reopen it from its data dir",
	ISRShrink:        "built-in broker: followers fall out of the in-sync replicas for the window (needs a replica lag); with n, every leader moves n times as the window ends, before they are back",
	CrashProducer:    "kq verify: abandon a producer mid-flight (no flush) and start a fresh one with the same ids",
	CrashConsumer:    "kq verify: abandon a consumer mid-flight (no commit) and start a fresh one in the same group",
	CrashCopier:      "kq verify: abandon an exactly-once copier mid-transaction and start a fresh one with the same transactional id",
	Exec:             "run a user command when a window opens and another when it closes (KQ_FAULT_PHASE, KQ_FAULT_TARGET set)",
}

// Description returns a one-line description of the kind, or "" for an
// unknown kind.
func (k Kind) Description() string { return kindDescriptions[k] }

// Param is a parameter a kind takes, with the value a fault of that kind
// gets when the parameter is left out.
type Param struct {
	// Name is the parameter's key in the spelling of [ParseFaults].
	Name string `json:"name"`
	// Default is the value used when the parameter is left out, spelled
	// as ParseFaults reads it, or a word for "no limit": "all" (every API
	// or broker), "random" (a schedule picks a node) or "none".
	Default string `json:"default"`
}

// Params returns the parameters the kind takes, in the order of
// [Fault.String], with their defaults (see [Fault.WithDefaults]); nil for
// a kind without parameters or an unknown kind.
func (k Kind) Params() []Param {
	info := k.info()
	d := Fault{Kind: k}.WithDefaults()
	var out []Param
	for _, key := range paramOrder {
		if info.takes(key) {
			out = append(out, Param{Name: key, Default: d.defaultText(key, info)})
		}
	}
	return out
}

// paramOrder is the order in which [Fault.setParams] lists the keys.
var paramOrder = []string{keyAPI, keyTarget, keyP, keyDelay, keyJitter, keyRate, keyCode, keyCount}

// defaultText spells d's value of key, d having its defaults applied.
func (d Fault) defaultText(key string, info kindInfo) string {
	switch {
	case key == keyAPI && len(d.APIs) == 0:
		return "all"
	case key == keyTarget && info.needsTarget:
		return "random"
	case key == keyTarget && info.layer == LayerExec:
		return "none"
	case key == keyTarget:
		return "all"
	case key == keyRate:
		return rateText(d.Rate)
	case key == keyCount && d.Count == 0:
		return "none"
	}
	return d.paramValue(key)
}

// rateText spells a rate in the largest binary unit that divides it.
func rateText(r int64) string {
	switch {
	case r > 0 && r%(1<<30) == 0:
		return strconv.FormatInt(r>>30, 10) + "GiB"
	case r > 0 && r%(1<<20) == 0:
		return strconv.FormatInt(r>>20, 10) + "MiB"
	case r > 0 && r%(1<<10) == 0:
		return strconv.FormatInt(r>>10, 10) + "KiB"
	}
	return strconv.FormatInt(r, 10)
}
