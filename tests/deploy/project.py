"""What the deployment tests compare the images, compose and Kubernetes manifests against: the
services' settings classes and the topics of shared/treffpunkt_shared/topics.py."""

from pathlib import Path

from pydantic_settings import BaseSettings

from catalog.settings import CatalogSettings
from notification.settings import NotificationSettings
from registration.settings import RegistrationSettings
from staff.settings import StaffSettings
from treffpunkt_shared.topics import all_topics

REPO = Path(__file__).resolve().parents[2]

SETTINGS: dict[str, type[BaseSettings]] = {
    "catalog": CatalogSettings,
    "registration": RegistrationSettings,
    "notification": NotificationSettings,
    "staff": StaffSettings,
}
SERVICES = tuple(SETTINGS)


def env_names(service: str) -> set[str]:
    """The environment variables the service reads: its prefixed fields and the shared names."""
    settings = SETTINGS[service]
    prefix = settings.model_config["env_prefix"]
    names = {f"{prefix}{name}".upper() for name in settings.model_fields}
    return names | {name.upper() for name in settings.shared_env_names}


def http_port(service: str) -> int:
    return SETTINGS[service].model_fields["http_port"].default


def consumed_topics(service: str) -> set[str]:
    return {topic.name for topic in all_topics() if service in topic.consumers}
