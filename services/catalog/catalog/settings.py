"""The catalog's settings, from the environment (`CATALOG_*`, or unprefixed for the shared ones)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", case_sensitive=False)

    service_name: ClassVar[str] = "catalog"

    http_port: int = Field(8001, description="Port of the HTTP server.")
