from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import CommaSeparated, ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "registration"

    http_port: int = Field(8000, description="Port of the HTTP server.")
    signing_secret: SecretStr = Field(
        description="Secret that signs the registrants' status and cancel links. Required; the same on "
        "every replica; changing it invalidates the links already sent.",
        min_length=16,
    )
    cors_allowed_origins: CommaSeparated = Field(
        default_factory=list, description="Websites allowed to call the JSON API from a browser, comma-separated."
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
