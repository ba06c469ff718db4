// Package groups inspects and repairs Kafka consumer groups and their
// committed offsets, as kafka-consumer-groups.sh does: it lists and
// describes groups with their members, assignments, committed offsets and
// lag, plans and applies offset resets, and deletes groups and committed
// offsets. Watermarks and offsets by timestamp come from the offsets layer
// (internal/offsets); a topic's offsets (kq offsets) are package topics'.
//
// Everything goes through a [Client] opened from a conn.Factory. The maths —
// lag ([ComputeLag]) and reset plans ([BuildPlan]) — are pure functions over
// typed inputs, so they are tested without a broker; the Client gathers
// those inputs from the cluster.
//
// Offsets that may be unknown (no committed offset, a deleted topic) use
// offsets.Offset and offsets.Lag, which are negative when unknown, print as
// "-" and encode as JSON null.
//
// Caveat: lag is counted in offsets. Transaction markers and aborted records
// between the committed offset and the end of the log count, as they do in
// Kafka's own tools, so lag over transactional topics is an upper bound on
// the records a read_committed consumer will see.
package groups
