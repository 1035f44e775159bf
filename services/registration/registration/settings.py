import re
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import CommaSeparated, ServiceSettings

# A scheme and a host (`*.` allowed in front), an optional port: nothing that could add to the policy.
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def _origins(values: list[str]) -> list[str]:
    for value in values:
        if not _ORIGIN.fullmatch(value):
            raise ValueError(f"{value!r} is not an origin such as https://www.musterstadt.de")
    return values


EmbedOrigins = Annotated[CommaSeparated, AfterValidator(_origins)]


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "registration"
    required_to_serve: ClassVar[tuple[str, ...]] = ("signing_secret",)

    http_port: int = Field(8000, description="Port of the HTTP server.")
    signing_secret: SecretStr | None = Field(
        None, description="Secret that signs the registrants' status and cancel links (at least 16 characters). "
        "Required to serve (the other commands run without it); the same on every replica; changing it "
        "invalidates the links already sent.",
        min_length=16,
    )
    cors_allowed_origins: CommaSeparated = Field(
        default_factory=list, description="Websites allowed to call the JSON API from a browser, comma-separated."
    )
    embed_origins: EmbedOrigins = Field(
        default_factory=list, description="Websites that may show the hosted pages in a frame (the pages' "
        "Content-Security-Policy `frame-ancestors`), comma-separated origins such as `https://www.musterstadt.de`: "
        "the pages that embed a form with `/static/embed.js`. Empty: no website may frame them."
    )
    rate_limit_window_seconds: int = Field(
        3600, ge=1, description="The window of the rate limits below: each allows so many registrations per window."
    )
    rate_limit_per_client: int = Field(
        60, ge=1, description="Registrations per window from one client address (the proxies' `X-Forwarded-For` "
        "counts only behind `http_trusted_proxies`). Generous: a town hall or a company registers its people from "
        "one address."
    )
    rate_limit_per_recipient: int = Field(
        5, ge=1, description="Registrations per window for one email address (each sends it an email)."
    )
    rate_limit_per_token: int = Field(
        5000, ge=1, description="Registrations per window from a machine client that sends its client token "
        "(`Authorization: Bearer`, made with `create-client-token`), instead of the limit per client address."
    )
    links_per_recipient: int = Field(
        1, ge=1, description="\"Send me my links again\" emails per window (`rate_limit_window_seconds`) to one "
        "email address; a request beyond it gets the same neutral answer and sends nothing."
    )
    links_per_client: int = Field(
        20, ge=1, description="\"Send me my links again\" requests per window from one client address; beyond it "
        "429 with `Retry-After`."
    )
    max_wait_seconds: float = Field(
        10.0, ge=0, description="Longest `?wait=` a client may ask for on POST /api/registrations."
    )
    privacy_url: str = Field(
        "", description="Address of the operator's privacy notice (Datenschutzhinweise), linked from the form and "
        "every public page's footer. Empty: no link."
    )
    imprint_url: str = Field(
        "", description="Address of the operator's imprint (Impressum), linked from every public page's footer. "
        "Empty: no link."
    )
    accessibility_feedback_email: str = Field(
        "", description="Where people report accessibility barriers: the feedback contact of the accessibility "
        "statement (/barrierefreiheit). Empty: the statement points to the imprint."
    )
    accessibility_enforcement_url: str = Field(
        "https://www.schlichtungsstelle-bgg.de",
        description="The conciliation body the accessibility statement names (default: the federal one under "
        "§ 16 BGG; a Land's public body names its own).",
    )
    erasure_interval_seconds: float = Field(
        3600.0, ge=0, description="How often the erasure job looks for registrations whose event's retention period "
        "(after its end) ran out, and erases them. 0: never (the `erase-due` command still does)."
    )
    erasure_batch_size: int = Field(200, ge=1, description="Registrations the erasure job erases per transaction.")
    pending_repeat_seconds: float = Field(
        60.0, ge=0, description="A registration still pending this long after its seat request (or the last "
        "repeat) has the request published again, so none stays pending forever whatever the broker lost "
        "(metric `registration_seat_requests_repeated_total`). 0: never."
    )
