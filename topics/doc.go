// Package topics administers Kafka topics, as kafka-topics.sh does: list,
// describe (partition leaders, replicas, ISR, watermarks, configs that
// differ from the defaults), create, delete, add partitions and alter
// configs.
//
// An [Admin] runs on one connection, shared with a groups.Client for
// watermarks. Unknown topics are errors matching [ErrTopicNotFound] whose
// message is "topic T does not exist"; malformed user input (config
// assignments) is a kqerr usage error.
package topics
