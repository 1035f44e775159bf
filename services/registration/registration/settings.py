from typing import Annotated, ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "registration"

    http_port: int = Field(8000, description="Port of the HTTP server.")
    signing_secret: SecretStr = Field(
        description="Secret that signs the registrants' status and cancel links. Required; the same on "
        "every replica; changing it invalidates the links already sent.",
        min_length=16,
    )
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Websites allowed to call the JSON API from a browser, comma-separated."
    )
    max_wait_seconds: float = Field(
        10.0, ge=0, description="Longest `?wait=` a client may ask for on POST /api/registrations."
    )

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
