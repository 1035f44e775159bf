"""Settings base for every service: read from the environment (pydantic-settings).

Each service subclasses `ServiceSettings` with its own env prefix (`CATALOG_`, ...). The
infrastructure endpoints are shared by all services of one deployment, so they can also be given
once without a prefix (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`); a prefixed value wins.
"""

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list that operators write as a comma-separated string (the code wants a list, FastStream too).
CommaSeparated = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]


class MissingSettings(ValueError):
    """A setting that the command needs is not set."""


class _UnprefixedSharedSource(EnvSettingsSource):
    """The plain environment, restricted to the fields a deployment shares between services."""

    def __init__(self, settings_cls: type[BaseSettings], names: frozenset[str]) -> None:
        super().__init__(settings_cls, env_prefix="", case_sensitive=False)
        self._names = names

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k in self._names}


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    # Field names that may come from the environment without the service's prefix.
    shared_env_names: ClassVar[frozenset[str]] = frozenset(
        {"database_url", "http_trusted_proxies", "kafka_bootstrap_servers", "kafka_fetch_max_wait_ms",
         "kafka_mock_broker", "log_level", "otel_exporter_otlp_endpoint", "outbox_linger_ms", "staff_issuer",
         "staff_jwks_url"}
    )
    service_name: ClassVar[str]
    # Settings without a default that only serving needs (a secret, say): the other commands (`migrate`,
    # `create-token`, `--help`) run without them.
    required_to_serve: ClassVar[tuple[str, ...]] = ()

    database_url: str = Field(
        "postgresql://postgres@localhost:5432/postgres",
        description="PostgreSQL server URL. The service uses its own database on that server "
        "(named by `database_name`), created if missing.",
    )
    database_name: str = Field("", description="Database of this service; default: the service name.")
    database_pool_size: int = Field(10, ge=1, description="Connections in the service's pool.")
    kafka_bootstrap_servers: CommaSeparated = Field(
        ["localhost:9092"], description="Kafka bootstrap servers, comma-separated."
    )
    kafka_fetch_max_wait_ms: int = Field(
        500, ge=1, description="How long a fetch waits for data on the broker (lower it against "
        "brokers that do not wake fetches on new data, such as the embedded one)."
    )
    outbox_linger_ms: int = Field(
        50, ge=0, description="How long the outbox relay, woken by a commit, waits for more before it publishes "
        "(like a Kafka producer's `linger.ms`): under load, fuller batches and fewer transactions for a little "
        "latency per hop. 0: publish at once."
    )
    kafka_mock_broker: bool = Field(
        False, description="The broker is librdkafka's mock cluster (the embedded stack sets this): turns on "
        "client workarounds for it. Never set it against a real Kafka."
    )
    http_host: str = Field("0.0.0.0", description="Address the HTTP server binds to.")
    http_port: int = Field(8000, description="Port of the HTTP server.")
    public_base_url: str = Field("", description="Base URL under which users reach this service; "
                                 "default http://localhost:<http_port>.")
    http_trusted_proxies: CommaSeparated = Field(
        default_factory=list, description="Addresses or networks (CIDR) of the reverse proxies in front of the "
        "service, comma-separated: only from these are `X-Forwarded-For` and `X-Forwarded-Proto` believed (for the "
        "client's address in rate limits and logs). Empty: no proxy is trusted, the peer's address is the client's."
    )
    http_max_body_bytes: int = Field(
        256 * 1024, ge=1, description="Largest request body accepted, in bytes; larger ones are answered 413 "
        "without being read (streamed ones as soon as they pass it). A registration is about 1 KB."
    )
    http_body_timeout_seconds: float = Field(
        10.0, gt=0, description="How long a client may take to send a request's body; then 408 and the "
        "connection is closed."
    )
    http_header_timeout_seconds: float = Field(
        10.0, gt=0, description="How long a client may take to send a request's headers, from the connection "
        "or the end of the previous request; then the connection is closed without an answer."
    )
    log_level: str = Field("INFO", description="Logging level.")
    otel_exporter_otlp_endpoint: str = Field(
        "", description="Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (e.g. "
        "`http://otel-collector:4318`); traces go to `<url>/v1/traces`. Empty: tracing is off. The exporter's "
        "standard variables (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`, ...) and "
        "`OTEL_TRACES_SAMPLER` apply as documented by OpenTelemetry."
    )

    staff_issuer: str = Field(
        "http://localhost:8003", description="The staff service's public URL: the issuer (`iss`) that staff "
        "access tokens must name. Shared by the deployment's services (`STAFF_ISSUER`)."
    )
    staff_jwks_url: str = Field(
        "", description="Where the staff service publishes the public keys of its access tokens (JWKS); "
        "default `<staff_issuer>/.well-known/jwks.json`. Kept for minutes; fetched again sooner for a key id it does not "
        "hold (a rotated key), at most every few seconds."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _UnprefixedSharedSource(settings_cls, cls.shared_env_names),
            dotenv_settings,
            file_secret_settings,
        )

    def check_can_serve(self) -> None:
        """MissingSettings naming the variables that serving needs and the environment does not set."""
        missing = [name for name in self.required_to_serve if getattr(self, name) is None]
        if missing:
            prefix = self.model_config.get("env_prefix", "")
            raise MissingSettings(f"{self.service_name} cannot serve without "
                                  f"{', '.join(prefix + name.upper() for name in missing)} (see docs/configuration.md)")

    @property
    def database(self) -> str:
        return self.database_name or self.service_name

    @property
    def staff_jwks_endpoint(self) -> str:
        return self.staff_jwks_url or f"{self.staff_issuer.rstrip('/')}/.well-known/jwks.json"

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://localhost:{self.http_port}").rstrip("/")
