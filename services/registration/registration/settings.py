from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "registration"

    http_port: int = 8000
