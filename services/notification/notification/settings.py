from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from treffpunkt_shared.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore", case_sensitive=False)
    service_name: ClassVar[str] = "notification"

    http_port: int = 8002
