"""What the consumer's handlers get besides their messages (see `entrypoints.consumers`)."""

from collections.abc import Callable
from dataclasses import dataclass

from treffpunkt_shared.clock import Clock


@dataclass(frozen=True)
class HandlerDependencies:
    domain: str  # the sender's domain, for the emails' Message-IDs
    clock: Clock  # the time the schedules follow
    emails_queued: Callable[[], None]  # wakes the sender; called once the emails are committed
