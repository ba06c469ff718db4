// Package setting defines each Kafka client setting that kq's commands
// share once: the producer's acknowledgement level ([Acks]), the
// consumer's isolation level ([Isolation]) and when offsets are committed
// ([CommitMode]), each with its one mapping to sarama.
//
// Every enumerated value kq reads from a user goes through one tolerant
// parser, [Parse]: case is ignored, '-' and '_' are alike, and an unknown
// value is an [*UnknownError] (a usage error) that lists the accepted
// values. The library names the setting ("isolation"); the command that
// read it from a flag may name the flag instead ([UnknownError.As]).
package setting
