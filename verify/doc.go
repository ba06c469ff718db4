// Package verify runs a delivery verification against a Kafka cluster: a
// workload of numbered values through producers and consumers (or
// transactional copiers) configured for a delivery guarantee, a fault
// schedule, and a drain. It records the run's history with package history
// and judges it with package check.
package verify
