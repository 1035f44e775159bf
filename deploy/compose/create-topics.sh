#!/bin/sh
# The one-shot `kafka-topics` step of docker-compose.yml, run in the Kafka image: creates every
# topic of Treffpunkt, and on later starts brings the configuration of the existing ones up to
# date. The broker does not create topics on first use (auto.create.topics.enable=false), so a
# topic missing here is an error in the services, not a silently created topic with defaults.
#
# The table must equal `all_topics()` of shared/treffpunkt_shared/topics.py, partitions and
# retention included: tests/deploy/test_compose.py runs this script and compares.
#
# Partitions of an existing topic are left alone: Kafka can only add partitions, and adding them
# moves keys to other partitions (and so breaks the order per registration while old messages
# are still being consumed). Do that deliberately with `kafka-topics.sh --alter`.
set -eu

: "${KAFKA_BOOTSTRAP_SERVERS:?}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"

existing=$("$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --list)

# The loop reads the table below from its stdin: the tools inside get /dev/null instead.
while read -r name partitions retention_ms cleanup_policy; do
    case "$name" in '' | '#'*) continue ;; esac
    if printf '%s\n' "$existing" | grep -qxF "$name"; then
        "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --alter \
            --entity-type topics --entity-name "$name" \
            --add-config "retention.ms=$retention_ms,cleanup.policy=$cleanup_policy" </dev/null
    else
        "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --create \
            --topic "$name" --partitions "$partitions" --replication-factor 1 \
            --config "retention.ms=$retention_ms" --config "cleanup.policy=$cleanup_policy" </dev/null
    fi
done <<'TOPICS'
# name                                partitions  retention.ms  cleanup.policy
catalog.catalog.v1                    6           -1            compact
catalog.seat.v1                       6           604800000     delete
registration.registration.v1          6           604800000     delete
notification.delivery.v1              6           604800000     delete
staff.token.v1                        1           -1            compact
catalog.catalog.v1.dlq                1           1209600000    delete
catalog.seat.v1.dlq                   1           1209600000    delete
registration.registration.v1.dlq      1           1209600000    delete
notification.delivery.v1.dlq          1           1209600000    delete
staff.token.v1.dlq                    1           1209600000    delete
TOPICS
