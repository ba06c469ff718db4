// Package check judges a delivery history (package history) against a
// delivery guarantee. A [Checker] counts what went wrong (lost, duplicated,
// reordered, aborted-but-visible, corrupt or foreign values, offsets holding
// two values) in memory bounded by a few bits per value and four bytes per
// log offset, and [Judge] turns those counts into a [Verdict] for the
// [Semantics] the system claims to provide. [File] and [Read] check a
// recorded history. The package holds no client code.
package check
