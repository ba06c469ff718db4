// Package check judges a delivery history (package history) against a
// delivery guarantee. A [Checker] counts what went wrong (lost, unseen,
// duplicated, reordered, aborted-but-visible, corrupt or foreign values,
// offsets holding two values; consumers skipping records, going back or
// committing past what they processed; committed transactions only partly
// visible) and measures the realtime lag, in memory bounded by a few bits
// per value, four bytes per log offset and a position per consumer and
// partition, and [Judge] turns those counts into a [Verdict] for the
// [Semantics] the system claims to provide. The counts do not depend on
// the order of the history's lines; the consumer checks follow each
// consumer in time order. [File] and [Read] check a recorded history. The
// package holds no client code.
package check
