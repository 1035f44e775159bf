"""Sending email over SMTP, for the services that do (notification, staff): where the server is, how to
log in and secure the connection, and whom the emails are from. One set of settings under each service's
prefix; the server is part of the deployment like the database, so its settings may also be given once
without a prefix (`SMTP_HOST`, `SMTP_PORT`, ...), as `make dev` and compose do."""

from email.headerregistry import Address
from typing import Self

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr, model_validator

# The fields that may come from the environment without the service's prefix.
SMTP_ENV_NAMES = frozenset({"smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_starttls", "smtp_tls"})


class SmtpSettings(BaseModel):
    """A mixin for a service's settings: `class XSettings(SmtpSettings, ServiceSettings)` (this order lists the
    common settings first)."""

    smtp_host: str = Field("localhost", description="SMTP server (relay) that takes the emails.")
    smtp_port: int = Field(25, ge=1, le=65535, description="Its port (25, 587 with STARTTLS, 465 with TLS; 1025 in make dev).")
    smtp_username: str = Field("", description="User name for SMTP AUTH; empty: no login.")
    smtp_password: SecretStr = Field(SecretStr(""), description="Password for SMTP AUTH.")
    smtp_starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    smtp_tls: bool = Field(False, description="Connect with TLS from the start (implicit TLS, port 465).")
    smtp_timeout_seconds: float = Field(30.0, gt=0, description="Timeout of each SMTP command and of connecting.")

    sender_name: str = Field("Treffpunkt", description="Display name in the From header.")
    sender_address: str = Field("treffpunkt@example.org", description="Address in the From header and the envelope "
                                "sender; its domain also names the Message-IDs (and calendar UIDs).")

    @model_validator(mode="after")
    def _one_kind_of_tls(self) -> Self:
        if self.smtp_tls and self.smtp_starttls:
            raise ValueError("smtp_tls and smtp_starttls exclude each other: choose implicit TLS or STARTTLS")
        return self

    @property
    def sender(self) -> Address:
        return Address(display_name=self.sender_name, addr_spec=self.sender_address)

    @property
    def sender_domain(self) -> str:
        return self.sender.domain


def smtp_client(settings: SmtpSettings) -> aiosmtplib.SMTP:
    """A client for the configured server, not yet connected."""
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password.get_secret_value() or None,
        use_tls=settings.smtp_tls,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
        # Naming ourselves spares the DNS lookup of socket.getfqdn() on every connect.
        local_hostname=settings.sender_domain,
    )
