"""How many messages the consumers in this process took from some topics, by outcome: what the
`messages_consumed_total` metric says (a test compares it with what it was before)."""

from collections.abc import Iterable

from prometheus_client import REGISTRY

SEEN = ("handled", "duplicate", "dead_lettered")  # every message that a consumer is done with


def consumed(topics: Iterable[str], outcomes: Iterable[str] = SEEN) -> int:
    outcomes = tuple(outcomes)
    return int(sum(REGISTRY.get_sample_value("messages_consumed_total", {"topic": topic, "outcome": outcome}) or 0
                   for topic in topics for outcome in outcomes))
