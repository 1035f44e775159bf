"""Wires the notification service: the consumers of registration outcomes and catalog events, the
sender, the contact persons' notice schedule, the reminders and the staff API. Used by `serve` and by the tests."""

from datetime import timedelta

from fastapi import FastAPI
from opentelemetry.trace import TracerProvider

from treffpunkt_shared.clock import Clock, SystemClock
from treffpunkt_shared.contracts.delivery import DELIVERY_TOPIC
from treffpunkt_shared.runtime import create_app as create_service_app
from treffpunkt_shared.runtime import create_runtime

from .adapters.smtp import SmtpPool
from .adapters.templates import Templates
from .entrypoints import api, consumers
from .entrypoints.workers import repeat
from .service_layer.composing import Composer
from .service_layer.delivery import Sender
from .service_layer.handling import HandlerDependencies
from .service_layer.notices import queue_due_notices
from .service_layer.reminders import queue_due_reminders
from .settings import NotificationSettings


def create_app(settings: NotificationSettings | None = None, *, clock: Clock | None = None,
               tracer_provider: TracerProvider | None = None) -> FastAPI:
    """`clock`: the time the schedules follow (coalescing windows, digests, reminders); tests pass one they move.
    `tracer_provider`: where spans go; by default as `settings` say (see `treffpunkt_shared.tracing`)."""
    settings = settings or NotificationSettings()
    clock = clock or SystemClock()
    runtime = create_runtime(settings, tracer_provider=tracer_provider)
    smtp = SmtpPool(settings)
    sender = Sender(lambda: runtime.pool, smtp, Composer(Templates(settings.templates_dir), settings), settings, clock,
                    runtime.tracer)
    runtime.consume(consumers.HANDLERS, HandlerDependencies(settings.sender_domain, clock, sender.wake))
    runtime.document_published_topic(
        DELIVERY_TOPIC, "Each email's fate: sent (with the SMTP server's reply) or failed (with the error, and "
        "whether it was refused permanently), keyed by registration id or, for contact persons' notices, by "
        "Message-ID. Names the recipient: bounded retention.")

    async def queue_notices() -> int:
        return await queue_due_notices(runtime.pool, now=clock.now(),
                                       window=timedelta(seconds=settings.coalescing_window_seconds),
                                       digest_hour=settings.daily_digest_hour, domain=settings.sender_domain)

    async def queue_reminders() -> int:
        queued = await queue_due_reminders(runtime.pool, now=clock.now(), domain=settings.sender_domain)
        if queued:
            sender.wake()
        return queued

    runtime.run_in_background(
        lambda: repeat("email sender", sender.send_due, settings.sender_poll_seconds, wake=sender.due))
    runtime.run_in_background(lambda: repeat("contact notices", queue_notices, settings.notice_poll_seconds))
    runtime.run_in_background(lambda: repeat("reminders", queue_reminders, settings.reminder_poll_seconds))
    runtime.on_stop(sender.stop)
    runtime.on_stop(smtp.close)

    def configure(app: FastAPI) -> None:
        app.include_router(api.router)
        app.include_router(api.audit_router)

    return create_service_app(
        runtime,
        title="Treffpunkt notification",
        description="Emails to registrants and notices to the sessions' contact persons, with a delivery log.",
        configure=configure,
    )
