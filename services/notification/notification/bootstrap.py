"""Wires the notification service: the consumers of registration outcomes and catalog events, the
sender, the contact persons' notice schedule and the staff API. Used by `serve` and by the tests."""

from datetime import timedelta

from fastapi import FastAPI

from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC
from treffpunkt_shared.contracts.registration import REGISTRATION_TOPIC
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .adapters.smtp import SmtpPool
from .adapters.templates import Templates
from .domain.clock import Clock, SystemClock
from .entrypoints import api, consumers
from .entrypoints.workers import repeat
from .service_layer.composing import Composer
from .service_layer.delivery import Sender
from .service_layer.notices import queue_due_notices
from .settings import NotificationSettings


def create_app(settings: NotificationSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """`clock`: the time the schedules follow (coalescing windows, digests); tests pass one they move."""
    settings = settings or NotificationSettings()
    clock = clock or SystemClock()
    runtime = create_runtime(settings)
    runtime.consume(REGISTRATION_TOPIC, consumers.registration_events(settings, clock))
    runtime.consume(CATALOG_TOPIC, consumers.catalog_events(settings))

    smtp = SmtpPool(settings)
    sender = Sender(lambda: runtime.pool, smtp, Composer(Templates(settings.templates_dir), settings), settings, clock)

    async def queue_notices() -> int:
        return await queue_due_notices(runtime.pool, now=clock.now(),
                                       window=timedelta(seconds=settings.coalescing_window_seconds),
                                       digest_hour=settings.daily_digest_hour, domain=settings.sender_domain)

    runtime.run_in_background(
        lambda: repeat("email sender", sender.send_due, settings.sender_poll_seconds, wake=sender.finished))
    runtime.run_in_background(lambda: repeat("contact notices", queue_notices, settings.notice_poll_seconds))
    runtime.on_stop(sender.stop)
    runtime.on_stop(smtp.close)

    def configure(app: FastAPI) -> None:
        app.include_router(api.router)

    return create_service_app(
        runtime,
        title="Treffpunkt notification",
        description="Emails to registrants and notices to the sessions' contact persons, with a delivery log.",
        configure=configure,
    )
