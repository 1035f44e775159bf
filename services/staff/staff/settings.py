from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.contracts.staff import Membership
from treffpunkt_shared.settings import ServiceSettings
from treffpunkt_shared.smtp import SMTP_ENV_NAMES, SmtpSettings


def _memberships_of_group(value: Any) -> Any:
    """A group's memberships as operators write them: "admin", "organiser:<organisation id>",
    "contact:<contact person id>", or a list of these."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    parsed = []
    for item in items:
        if not isinstance(item, str):
            parsed.append(item)
            continue
        role, _, scope = item.partition(":")
        scope_field = {"organiser": "organisation_id", "contact": "contact_person_id"}.get(role.strip())
        parsed.append({"role": role.strip()} | ({scope_field: scope.strip()} if scope_field and scope else {}))
    return parsed


GroupMemberships = Annotated[list[Membership], BeforeValidator(_memberships_of_group)]


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
    catalog_url: str = Field(
        "http://localhost:8001", description="The staff app's way to the catalog service's staff API (a base URL "
        "inside the deployment; browsers never see it)."
    )
    registration_url: str = Field(
        "http://localhost:8000", description="The staff app's way to the registration service's staff API; also "
        "the base of the public registration form's links shown to staff."
    )
    notification_url: str = Field(
        "http://localhost:8002", description="The staff app's way to the notification service's staff API."
    )
    service_timeout_seconds: float = Field(
        10.0, gt=0, description="How long the staff app waits for another service's answer before it says the "
        "service is unavailable."
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
    oidc_issuer: str | None = Field(
        None, description="OpenID Connect: the identity provider's issuer URL, exactly as its ID tokens name it "
        "(its discovery document is at `<issuer>/.well-known/openid-configuration`). Unset: no OpenID Connect "
        "sign-in, only passwords."
    )
    oidc_client_id: str | None = Field(None, description="OpenID Connect: the staff service's client id there.")
    oidc_client_secret: SecretStr | None = Field(
        None, description="OpenID Connect: the client's secret (sent with HTTP Basic to the token endpoint)."
    )
    oidc_provider_name: str = Field(
        "OpenID Connect", description="OpenID Connect: the provider's name on the sign-in page (\"Mit <name> "
        "anmelden\"), e.g. the city's or chamber's sign-in."
    )
    oidc_scopes: str = Field(
        "openid email profile", description="OpenID Connect: the scopes asked for, space-separated; `openid` and "
        "the claims `email`, `email_verified` (and the groups claim, if mapped) must come with them."
    )
    oidc_groups_claim: str | None = Field(
        None, description="OpenID Connect: the claim that lists the person's groups (e.g. `groups`). Set together "
        "with `STAFF_OIDC_GROUP_ROLES`: then the provider decides the memberships (see the staff README)."
    )
    oidc_group_roles: dict[str, GroupMemberships] = Field(
        default_factory=dict, description="OpenID Connect: JSON object from a group (as the groups claim names "
        "it) to memberships: `\"admin\"`, `\"organiser:<organisation id>\"`, `\"contact:<contact person id>\"` "
        "or a list of these, e.g. `{\"treffpunkt-admins\": \"admin\", \"ihk-events\": "
        "[\"organiser:5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71\"]}`. A signed-in person's memberships are then those "
        "of their mapped groups; someone with an address but no account gets one."
    )

    @model_validator(mode="after")
    def _oidc_complete(self) -> Self:
        if self.oidc_issuer is not None:
            missing = [name for name in ("oidc_client_id", "oidc_client_secret") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"oidc_issuer is set, so {' and '.join(missing)} must be too")
            if "openid" not in self.oidc_scopes.split():
                raise ValueError("oidc_scopes must include openid")
        if (self.oidc_groups_claim is None) != (not self.oidc_group_roles):
            raise ValueError("oidc_groups_claim and oidc_group_roles go together: set both or neither")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def base_url(self) -> str:
        # One public URL: the issuer (`public_base_url` is not used by this service).
        return self.issuer.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """False only for `make dev` (http://localhost), where there is no TLS; a browser treats it as secure anyway."""
        parts = urlsplit(self.issuer)
        return not (parts.scheme == "http" and parts.hostname == "localhost")
