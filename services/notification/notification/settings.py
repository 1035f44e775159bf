"""The notification service's settings, from the environment with the prefix `NOTIFICATION_`.

The SMTP server and the sender are `treffpunkt_shared.smtp`'s settings: like the database, the server's
may also be given without the prefix (`SMTP_HOST`, `SMTP_PORT`, ...), as `make dev` and compose do.
"""

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings
from treffpunkt_shared.smtp import SMTP_ENV_NAMES, SmtpSettings


class NotificationSettings(SmtpSettings, ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "notification"
    shared_env_names: ClassVar[frozenset[str]] = ServiceSettings.shared_env_names | SMTP_ENV_NAMES

    http_port: int = Field(8002, description="Port of the HTTP server.")
    smtp_pool_size: int = Field(4, ge=1, description="SMTP connections kept open and reused.")

    coalescing_window_seconds: float = Field(300.0, gt=0, description="A contact person in `immediate` mode gets at "
                                             "most one notice per window, listing everything new since the last.")
    daily_digest_hour: int = Field(7, ge=0, le=23, description="Hour (Europe/Berlin) of the daily digest for contact "
                                   "persons in `daily` mode.")
    templates_dir: Path | None = Field(None, description="Folder with templates that replace the built-in ones of the "
                                       "same path (e.g. `de/confirmed.html`).")

    retry_initial_seconds: float = Field(1.0, gt=0, description="First wait after a transient SMTP failure; the waits "
                                         "grow exponentially, with random jitter.")
    retry_max_seconds: float = Field(600.0, gt=0, description="Longest wait between two attempts.")
    max_attempts: int = Field(150, ge=1, description="Attempts of one email before it is given up as failed "
                              "(with the default waits, about a day).")
    delivery_lease_seconds: float = Field(120.0, gt=0, description="How long an email being sent is reserved for the "
                                          "replica sending it; after a crash another replica takes it over then.")
    sender_concurrency: int = Field(200, ge=1, description="Emails in the works at once (the SMTP pool bounds the "
                                    "connections).")
    sender_batch_size: int = Field(50, ge=1, description="Emails taken, rendered and written down together; several "
                                   "batches are sent at once, up to `sender_concurrency` emails.")
    sender_poll_seconds: float = Field(1.0, gt=0, description="How often the sender looks for emails to send.")
    notice_poll_seconds: float = Field(10.0, gt=0, description="How often the contact persons' notices and digests "
                                       "are checked for being due.")
    reminder_poll_seconds: float = Field(60.0, gt=0, description="How often the events' reminder schedules are "
                                         "checked for reminders that are due.")
