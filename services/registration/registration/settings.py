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
    pending_repeat_seconds: float = Field(
        60.0, ge=0, description="A registration still pending this long after its seat request (or the last "
        "repeat) has the request published again, so none stays pending forever whatever the broker lost "
        "(metric `registration_seat_requests_repeated_total`). 0: never."
    )
