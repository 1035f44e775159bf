"""JSON schemas for the custom resources deploy/k8s uses, for the fields it relies on.

The Kubernetes schemas of kubernetes-validate have no CRDs. These follow the CRDs of Strimzi
(KafkaTopic, kafka.strimzi.io/v1beta2) and KEDA (ScaledObject, keda.sh/v1alpha1): the fields,
their types and limits as the CRDs' OpenAPI schemas declare them, with unknown fields refused
where the CRD's structural schema would drop or refuse them, so a misspelt field fails here
instead of being silently ignored by the API server. Trigger metadata is a map of strings in
KEDA; the keys of the triggers used here are those documented for KEDA's `kafka` and `cpu`
scalers.
"""

from typing import Any

import jsonschema

_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": _DNS_SUBDOMAIN, "maxLength": 253},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}

KAFKA_TOPIC = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
        "kind": {"const": "KafkaTopic"},
        "metadata": {
            **_METADATA,
            # The Topic Operator only reconciles topics labelled with its cluster's name.
            "required": ["name", "labels"],
            "properties": {**_METADATA["properties"], "labels": {
                "type": "object", "required": ["strimzi.io/cluster"], "additionalProperties": {"type": "string"}}},
        },
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["partitions", "replicas", "config"],
            "properties": {
                "topicName": {"type": "string", "minLength": 1},
                "partitions": {"type": "integer", "minimum": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
                "config": {"type": "object", "additionalProperties": {"type": ["string", "integer", "number", "boolean"]}},
            },
        },
    },
}

_KAFKA_TRIGGER_METADATA = {
    "type": "object",
    "required": ["bootstrapServers", "consumerGroup", "topic", "lagThreshold"],
    "additionalProperties": False,
    "properties": {
        key: {"type": "string"}
        for key in ("bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold",
                    "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag",
                    "limitToPartitionsWithLag", "partitionLimitation", "sasl", "tls", "version")
    } | {
        "lagThreshold": {"type": "string", "pattern": r"^[1-9][0-9]*$"},
        "offsetResetPolicy": {"enum": ["earliest", "latest"]},
    },
}

_CPU_TRIGGER_METADATA = {
    "type": "object",
    "required": ["value"],
    "additionalProperties": False,
    "properties": {"value": {"type": "string", "pattern": r"^[1-9][0-9]*$"}, "containerName": {"type": "string"}},
}

SCALED_OBJECT = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["scaleTargetRef", "triggers"],
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {k: {"type": "string"} for k in ("apiVersion", "kind", "name", "envSourceContainerName")},
                },
                **{k: {"type": "integer", "minimum": 0} for k in (
                    "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount",
                    "minReplicaCount", "maxReplicaCount")},
                "advanced": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "restoreToOriginalReplicaCount": {"type": "boolean"},
                        "horizontalPodAutoscalerConfig": {
                            "type": "object",
                            "additionalProperties": False,
                            # `behavior` is the HPA's (autoscaling/v2): checked against Kubernetes' schema.
                            "properties": {"name": {"type": "string"}, "behavior": {"type": "object"}},
                        },
                    },
                },
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"enum": ["kafka", "cpu", "memory"]},
                            "name": {"type": "string"},
                            "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                            "useCachedMetrics": {"type": "boolean"},
                            "metadata": {"type": "object"},
                        },
                        "allOf": [
                            {"if": {"properties": {"type": {"const": "kafka"}}},
                             "then": {"properties": {"metadata": _KAFKA_TRIGGER_METADATA}}},
                            {"if": {"properties": {"type": {"const": "cpu"}}},
                             "then": {"required": ["metricType"], "properties": {
                                 "metricType": {"enum": ["Utilization", "AverageValue"]}, "metadata": _CPU_TRIGGER_METADATA}}},
                        ],
                    },
                },
            },
        },
    },
}

SCHEMAS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"): KAFKA_TOPIC, ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT}


def validate(resource: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError; KeyError for a custom resource without a schema here."""
    jsonschema.validate(resource, SCHEMAS[(resource["apiVersion"], resource["kind"])], cls=jsonschema.Draft202012Validator)
