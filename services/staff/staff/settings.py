from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings
from treffpunkt_shared.smtp import SMTP_ENV_NAMES, SmtpSettings


class StaffSettings(SmtpSettings, ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STAFF_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "staff"
    shared_env_names: ClassVar[frozenset[str]] = ServiceSettings.shared_env_names | SMTP_ENV_NAMES

    http_port: int = Field(8003, description="Port of the HTTP server.")
    issuer: str = Field(
        "http://localhost:8003", description="The staff service's public URL: the `iss` of its access tokens, the "
        "base of its JWKS (`<issuer>/.well-known/jwks.json`) and of its pages' links. The session cookie is "
        "`Secure` unless it is an `http://localhost` address (`make dev`)."
    )
    session_idle_minutes: int = Field(
        30, ge=1, description="A sign-in session ends after this many minutes without a request."
    )
    session_absolute_hours: int = Field(
        12, ge=1, description="A sign-in session ends this many hours after the sign-in, however busy."
    )
    access_token_lifetime_seconds: int = Field(
        300, ge=30, le=3600, description="How long an access token for the other services is valid."
    )
    signing_key_rotation_days: int = Field(
        30, ge=1, description="A new signing key replaces the current one once it is this many days old (checked "
        "hourly and at each token; `rotate-keys` rotates at once). The old key stays in the JWKS as long as "
        "tokens it signed may be valid."
    )
    sign_in_window_seconds: int = Field(
        900, ge=1, description="The window of the failed sign-in limits below."
    )
    sign_in_failures_per_account: int = Field(
        5, ge=1, description="Failed sign-ins per window for one account (whatever the address); beyond it the "
        "account's sign-in is refused until the window is over."
    )
    sign_in_failures_per_client: int = Field(
        20, ge=1, description="Failed sign-ins per window from one client address (the proxies' `X-Forwarded-For` "
        "counts only behind `http_trusted_proxies`), whichever accounts they try."
    )
    invitation_valid_hours: int = Field(
        72, ge=1, description="How long the link in an invitation email (to set the first password) is valid."
    )
    password_reset_valid_minutes: int = Field(
        60, ge=1, description="How long the link in a password reset email is valid."
    )
    password_resets_per_address: int = Field(
        3, ge=1, description="Password reset emails per `sign_in_window_seconds` for one address; more requests "
        "get the same answer but no email."
    )
    password_resets_per_client: int = Field(
        10, ge=1, description="Password reset requests per `sign_in_window_seconds` from one client address; "
        "beyond it they are refused (429)."
    )
    totp_failures_per_account: int = Field(
        5, ge=1, description="Wrong TOTP codes per `sign_in_window_seconds` for one account; beyond it its codes "
        "are refused until the window is over."
    )
    require_totp_for_admins: bool = Field(
        False, description="An admin must use a TOTP second factor: one without it is sent to set it up after "
        "signing in and can do nothing else until it is set up."
    )

    @property
    def base_url(self) -> str:
        # One public URL: the issuer (`public_base_url` is not used by this service).
        return self.issuer.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """False only for `make dev` (http://localhost), where there is no TLS; a browser treats it as secure anyway."""
        parts = urlsplit(self.issuer)
        return not (parts.scheme == "http" and parts.hostname == "localhost")
