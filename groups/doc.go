// Package groups inspects and repairs Kafka consumer groups and offsets, as
// kafka-consumer-groups.sh and GetOffsetShell do: it lists and describes
// groups with their members, assignments, committed offsets and lag, plans
// and applies offset resets, deletes groups and committed offsets, and reads
// topic watermarks and offsets by timestamp.
//
// Everything goes through a [Client] opened from a conn.Factory. The maths —
// lag ([ComputeLag]) and reset plans ([BuildPlan]) — are pure functions over
// typed inputs, so they are tested without a broker; the Client gathers
// those inputs from the cluster.
//
// Offsets that may be unknown (no committed offset, a deleted topic) use
// [Offset] and [Lag], which are negative when unknown, print as "-" and
// encode as JSON null.
//
// Caveat: lag is counted in offsets. Transaction markers and aborted records
// between the committed offset and the end of the log count, as they do in
// Kafka's own tools, so lag over transactional topics is an upper bound on
// the records a read_committed consumer will see.
package groups
