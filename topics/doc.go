// Package topics administers Kafka topics, as kafka-topics.sh does: list,
// describe (partition leaders, replicas, ISR, watermarks, configs that
// differ from the defaults), create, delete, add partitions and alter
// configs.
//
// An [Admin] runs on one connection; watermarks come from the offsets
// layer (internal/offsets). Unknown topics are errors matching [offsets.ErrTopicNotFound] whose
// message is "topic T does not exist"; malformed user input (config
// assignments) is a kqerr usage error.
package topics
