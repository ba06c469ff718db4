package check

// Anomaly returns the anomaly whose count r judges (its examples are
// Counts.Examples[r.Anomaly()]); "" for an unknown rule.
func (r Rule) Anomaly() Anomaly {
	switch r {
	case RuleNoLoss:
		return AnomalyLost
	case RuleNoUnseen:
		return AnomalyUnseen
	case RuleNoLogDuplicates:
		return AnomalyLogDuplicate
	case RuleNoRedeliveries:
		return AnomalyRedelivery
	case RuleNoAbortedReads:
		return AnomalyAbortedRead
	case RuleOrderKept:
		return AnomalyReordered
	case RuleNoOffsetConflict:
		return AnomalyOffsetConflict
	case RuleNoCorrupt:
		return AnomalyCorrupt
	case RuleNoUnknown:
		return AnomalyUnknown
	case RuleNoFailDelivered:
		return AnomalyFailDelivered
	case RuleNoUnsent:
		return AnomalyUnsentDelivered
	case RulePollsSkipNothing:
		return AnomalyPollSkip
	case RuleMonotonicPolls:
		return AnomalyNonmonotonicPoll
	case RuleNoCommitAhead:
		return AnomalyCommitAhead
	case RuleFinalCommit:
		return AnomalyFinalCommit
	case RuleNoTornTxns:
		return AnomalyTornTxn
	}
	return ""
}

// RuleOf returns the rule that judges anomaly a's count; "" for an
// anomaly no rule judges (aborted values are counted, not judged).
func RuleOf(a Anomaly) Rule {
	for _, r := range rules() {
		if r.name.Anomaly() == a {
			return r.name
		}
	}
	return ""
}
