"""The catalog's settings, from the environment (`CATALOG_*`, or unprefixed for the shared ones)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", case_sensitive=False)

    service_name: ClassVar[str] = "catalog"

    http_port: int = Field(8001, description="Port of the HTTP server.")
    retention_default_days: int = Field(180, ge=1, description="Days after an event's end until its registrants' "
                                        "personal data is erased, for an event created without `retention_days`.")
    retention_min_days: int = Field(30, ge=1, description="The shortest retention staff may set for an event.")
    retention_max_days: int = Field(730, ge=1, description="The longest retention staff may set for an event.")
