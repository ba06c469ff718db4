package history

import (
	"github.com/kq-dev/kq/internal/kqerr"
)

// Validate reports whether e is well formed: a known type, and the fields
// its type requires present and in range. Its errors match [kqerr.ErrUsage].
func (e *Event) Validate() error {
	switch e.Type {
	case TypeSend:
		return e.validateSend()
	case TypeDeliver:
		return e.validateDeliver()
	case TypeAbort:
		return e.validatePlace()
	case TypeFault:
		return e.validateFault()
	case TypeMeta:
		return e.validateMeta()
	case TypeAssign, TypeRevoke:
		return e.validateAssign()
	case TypeSeek:
		return e.validatePlace()
	case TypeCommit:
		return e.validateCommit()
	case TypeEnd:
		return e.validateEnd()
	case TypeTxn:
		return e.validateTxn()
	case "":
		return kqerr.Usagef("event has no type")
	default:
		return kqerr.Usagef("unknown event type %q", e.Type)
	}
}

func (e *Event) validateSend() error {
	switch e.Status {
	case StatusOK:
		if e.Offset == NoOffset {
			return nil // acks=0: acknowledged at an unknown offset
		}
		return e.validatePlace()
	case StatusFail, StatusInfo:
		return nil
	case "":
		return kqerr.Usagef("send event has no status")
	default:
		return kqerr.Usagef("send event has unknown status %q (want ok, fail or info)", e.Status)
	}
}

func (e *Event) validateDeliver() error {
	switch e.ValueStatus {
	case "", ValueOK, ValueCorrupt, ValueUnknown:
		return e.validatePlace()
	default:
		return kqerr.Usagef("deliver event has unknown value_status %q (want ok, corrupt or unknown)", e.ValueStatus)
	}
}

func (e *Event) validatePlace() error {
	if e.Partition < 0 {
		return kqerr.Usagef("%s event has a missing or negative partition", e.Type)
	}
	if e.Offset < 0 {
		return kqerr.Usagef("%s event has a missing or negative offset", e.Type)
	}
	return nil
}

func (e *Event) validateFault() error {
	if e.Name == "" {
		return kqerr.Usagef("fault event has no name")
	}
	switch e.Phase {
	case "", PhaseStart, PhaseEnd:
		return nil
	default:
		return kqerr.Usagef("fault event has unknown phase %q (want start or end)", e.Phase)
	}
}

func (e *Event) validateMeta() error {
	if e.Version > Version {
		return kqerr.Usagef("history version %d is newer than this kq reads (%d)", e.Version, Version)
	}
	if e.Workers < 0 || e.Worker < 0 || (e.Workers > 0 && e.Worker >= e.Workers) || (e.Workers == 0 && e.Worker != 0) {
		return kqerr.Usagef("meta event has worker %d of %d: want 0 to workers-1", e.Worker, e.Workers)
	}
	return nil
}

func (e *Event) validateAssign() error {
	if e.Consumer == "" {
		return kqerr.Usagef("%s event has no consumer", e.Type)
	}
	for _, p := range e.Partitions {
		if p < 0 {
			return kqerr.Usagef("%s event has a negative partition", e.Type)
		}
	}
	return nil
}

func (e *Event) validateCommit() error {
	switch e.Status {
	case StatusOK, StatusFail, StatusInfo:
	case "":
		return kqerr.Usagef("commit event has no status")
	default:
		return kqerr.Usagef("commit event has unknown status %q (want ok, fail or info)", e.Status)
	}
	return e.validatePlace()
}

func (e *Event) validateEnd() error {
	switch e.Outcome {
	case OutcomeComplete, OutcomeFailed, OutcomeInterrupted:
		return nil
	case "":
		return kqerr.Usagef("end event has no outcome")
	default:
		return kqerr.Usagef("end event has unknown outcome %q (want complete, failed or interrupted)", e.Outcome)
	}
}

func (e *Event) validateTxn() error {
	if e.Txn == "" {
		return kqerr.Usagef("txn event has no txn id")
	}
	switch e.Outcome {
	case OutcomeCommitted, OutcomeAborted:
	case "":
		return kqerr.Usagef("txn event has no outcome")
	default:
		return kqerr.Usagef("txn event has unknown outcome %q (want committed or aborted)", e.Outcome)
	}
	if e.Count < 0 {
		return kqerr.Usagef("txn event has a negative count")
	}
	return e.validatePlace()
}
