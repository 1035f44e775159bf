"""docker-compose.yml, checked without Docker: the Compose schema, the wiring between services,
the topics step (its script run against stand-ins for Kafka's tools), the PostgreSQL init script
(run by psql against the embedded PostgreSQL, then each service migrated as its own role)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pgserver
import pytest

from tests.deploy import compose
from tests.deploy.dockerfile import parse
from tests.deploy.project import REPO, SERVICES, env_names, http_port
from tests.deploy.testing_http import HealthServer
from treffpunkt_devstack.postgres import EmbeddedPostgres
from treffpunkt_shared.topics import all_topics

COMPOSE_FILE = REPO / "docker-compose.yml"
SCALED = ("catalog", "notification")  # `docker compose up --scale notification=3 --scale catalog=2`
SECRET_VARIABLES = {"POSTGRES_PASSWORD", "CATALOG_DB_PASSWORD", "REGISTRATION_DB_PASSWORD",
                    "NOTIFICATION_DB_PASSWORD", "STAFF_DB_PASSWORD", "REGISTRATION_SIGNING_SECRET"}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return compose.load(COMPOSE_FILE)


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return compose.read_env_file(REPO / ".env.example")


@pytest.fixture(scope="module")
def config(raw: dict[str, Any], env_example: dict[str, str]) -> dict[str, Any]:
    """The compose file as compose runs it with .env.example, its secrets filled in."""
    env = {**env_example, **{name: f"{name.lower()}-not-a-real-secret" for name in SECRET_VARIABLES}}
    return compose.interpolate(raw, env)


def service_env(config: dict[str, Any], name: str) -> dict[str, str]:
    environment = config["services"][name].get("environment", {})
    assert isinstance(environment, dict), f"{name}: environment as a mapping, please"
    return {k: str(v) for k, v in environment.items()}


def mounts(config: dict[str, Any], name: str) -> dict[str, str]:
    """The service's volumes (short syntax): container path -> host path or volume name."""
    return {target: source for source, target, *_ in (v.split(":") for v in config["services"][name].get("volumes", []))}


def app_containers(config: dict[str, Any]) -> dict[str, str]:
    """Every compose service that runs one of our images -> the Treffpunkt service it runs."""
    found = {}
    for name, service in config["services"].items():
        if service.get("image", "").startswith("treffpunkt/"):
            found[name] = service["build"]["target"]
    return found


def test_validates_against_the_compose_schema(raw: dict[str, Any]) -> None:
    schema = json.loads((REPO / "deploy/schemas/compose-spec.json").read_text())
    jsonschema.validate(raw, schema, cls=jsonschema.Draft7Validator)


def test_schema_validation_rejects_a_misspelt_key(raw: dict[str, Any]) -> None:
    schema = json.loads((REPO / "deploy/schemas/compose-spec.json").read_text())
    broken = json.loads(json.dumps(raw))
    broken["services"]["catalog"]["depends_on"]["postgres"] = {"condition": "service_ready"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft7Validator)


def test_env_example_names_every_variable_and_holds_no_secret(raw: dict[str, Any], env_example: dict[str, str]) -> None:
    assert compose.variables(raw) == set(env_example)
    for name in SECRET_VARIABLES:
        assert env_example[name] == "", f"{name}: .env.example must not carry a value"
    # ... so compose refuses to start until .env sets them.
    with pytest.raises(compose.MissingVariable):
        compose.interpolate(raw, env_example)
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


def test_secrets_come_from_the_environment_not_literals(raw: dict[str, Any]) -> None:
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), f"{name}.{key} must be ${{VAR:?...}}"
            if key == "DATABASE_URL":
                assert re.fullmatch(r"postgresql://\w+:\$\{[A-Z_]+:\?[^}]*\}@.*", value), (
                    f"{name}: the password in DATABASE_URL must be substituted")


def test_images_are_pinned(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        image = service["image"]
        if image.startswith("treffpunkt/"):
            assert service["build"]["context"] == "." and image == f"treffpunkt/{service['build']['target']}:local"
            continue
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?", image), f"{name}: {image} is not pinned to a version"
    assert config["services"]["kafka-topics"]["image"] == config["services"]["kafka"]["image"]
    assert config["services"]["kafka"]["image"].startswith("apache/kafka:")


def test_every_service_reads_only_settings_it_has(config: dict[str, Any]) -> None:
    for name, service in app_containers(config).items():
        unknown = set(service_env(config, name)) - env_names(service)
        assert not unknown, f"{name}: {unknown} are no settings of {service}"


def test_services_point_at_their_dependencies_by_compose_name(config: dict[str, Any]) -> None:
    services = config["services"]
    kafka_env = service_env(config, "kafka")
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    advertised = {listener.split("://")[1] for listener in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    postgres_env = service_env(config, "postgres")
    for name, service in app_containers(config).items():
        env = service_env(config, name)
        database = urlsplit(env["DATABASE_URL"])
        assert database.hostname == "postgres" and database.hostname in services
        assert (database.port or 5432) == 5432
        # Each service has its own role and database, created by the init script.
        assert database.username == service and database.path == f"/{service}"
        assert database.password == postgres_env[f"{service.upper()}_DB_PASSWORD"]
        assert set(env["KAFKA_BOOTSTRAP_SERVERS"].split(",")) <= advertised
        if service == "notification":
            assert env["SMTP_HOST"] == "mailpit" and env["SMTP_HOST"] in services
            assert env["SMTP_PORT"] == "1025"  # Mailpit's SMTP port
        if service == "registration":
            assert env["REGISTRATION_SIGNING_SECRET"]
    topics_env = service_env(config, "kafka-topics")
    assert set(topics_env["KAFKA_BOOTSTRAP_SERVERS"].split(",")) <= advertised


def test_postgres_init_script_creates_what_the_services_use(config: dict[str, Any]) -> None:
    init = next(source for target, source in mounts(config, "postgres").items()
                if target.startswith("/docker-entrypoint-initdb.d/"))
    sql = (REPO / init).read_text()
    for service in SERVICES:
        assert f"\\getenv {service}_password {service.upper()}_DB_PASSWORD" in sql
        assert f"CREATE ROLE {service} LOGIN PASSWORD :'{service}_password';" in sql
        assert f"CREATE DATABASE {service} OWNER {service};" in sql
        assert f"{service.upper()}_DB_PASSWORD" in service_env(config, "postgres")


def test_dependencies_and_their_conditions(config: dict[str, Any]) -> None:
    services = config["services"]
    for name, service in app_containers(config).items():
        depends = {dep: c["condition"] for dep, c in services[name]["depends_on"].items()}
        command = services[name]["command"]
        if command == ["serve"]:
            assert depends.get(f"{service}-migrate") == "service_completed_successfully"
            assert depends.get("kafka-topics") == "service_completed_successfully"
            assert depends.get("postgres") == "service_healthy"
            assert depends.get("kafka") == "service_healthy"
        elif command == ["migrate"]:
            assert name == f"{service}-migrate"
            assert depends == {"postgres": "service_healthy"}
        else:
            assert command == ["load-demo"] and service == "catalog"
            assert services[name]["profiles"] == ["demo"], "demo data only when asked for"
            assert depends == {"catalog-migrate": "service_completed_successfully"}
    assert services["kafka-topics"]["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck to wait for"
            if condition["condition"] == "service_completed_successfully":
                assert services[dependency]["restart"] == "no", f"{dependency} is a one-shot step"


def test_each_service_runs_once_per_command_with_one_migration(config: dict[str, Any]) -> None:
    runs = sorted((service, tuple(config["services"][name]["command"])) for name, service in app_containers(config).items())
    expected = sorted([(s, ("serve",)) for s in SERVICES] + [(s, ("migrate",)) for s in SERVICES] + [("catalog", ("load-demo",))])
    assert runs == expected
    for service in SERVICES:
        assert config["services"][service]["command"] == ["serve"]


def test_commands_exist_in_the_service_cli(config: dict[str, Any]) -> None:
    env = {**os.environ, "REGISTRATION_SIGNING_SECRET": "x" * 32}
    runs = {(service, tuple(config["services"][name]["command"])) for name, service in app_containers(config).items()}
    helps = {run: subprocess.Popen([sys.executable, "-m", run[0], *run[1], "--help"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for run in runs}
    for run, process in helps.items():
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, f"{run}: {errors.decode()}"


def test_scaled_services_have_no_fixed_host_port_or_container_name(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        assert "container_name" not in service, f"{name}: a container name prevents --scale"
    for name in SCALED:
        ports = config["services"][name].get("ports", [])
        assert all(compose.host_port(p) is None for p in ports), f"{name}: {ports} fix a host port"
    assert [compose.host_port(p) for p in config["services"]["registration"]["ports"]] == ["8000"]


def test_service_healthchecks_are_the_images_and_pass_on_healthz(config: dict[str, Any]) -> None:
    dockerfile = parse(REPO / "Dockerfile")
    for service in SERVICES:
        check = config["services"][service]["healthcheck"]
        assert check["test"] == ["CMD", *dockerfile.stages[service].healthcheck()[1]]
        # The image sets the port variable; the container port published is that port.
        assert [str(p).split(":")[-1] for p in config["services"][service]["ports"]] == [str(http_port(service))]
        with HealthServer() as server:
            env = {f"{service.upper()}_HTTP_PORT": str(server.port)}
            result = subprocess.run([sys.executable, *check["test"][2:]], env=env, capture_output=True, timeout=20)
            assert result.returncode == 0, result.stderr
            assert server.paths == ["/healthz"]


def test_services_get_time_to_shut_down(config: dict[str, Any]) -> None:
    for service in SERVICES:
        grace = config["services"][service]["stop_grace_period"]
        # uvicorn's graceful shutdown takes up to 20 s (treffpunkt_shared.cli).
        assert re.fullmatch(r"(\d+)s", grace) and int(grace[:-1]) > 20


# ---- the topics step ---------------------------------------------------------------------------

STUB = """#!/bin/sh
{{ echo "$(basename "$0")"; for arg in "$@"; do echo "$arg"; done; echo "--end--"; }} >> "{calls}"
case " $* " in *" --list "*) cat "{existing}" ;; esac
"""


def run_topics_step(config: dict[str, Any], tmp_path: Path, existing: list[str]) -> list[list[str]]:
    """Runs the kafka-topics service's command with stand-ins for Kafka's tools; their calls."""
    service = config["services"]["kafka-topics"]
    shell, script = service["command"]
    calls, existing_file = tmp_path / "calls", tmp_path / "existing"
    existing_file.write_text("".join(f"{name}\n" for name in existing))
    for tool in ("kafka-topics.sh", "kafka-configs.sh"):
        stub = tmp_path / tool
        stub.write_text(STUB.format(calls=calls, existing=existing_file))
        stub.chmod(0o755)
    env = {"PATH": os.environ["PATH"], **service_env(config, "kafka-topics"), "KAFKA_BIN": str(tmp_path)}
    subprocess.run([shell, REPO / mounts(config, "kafka-topics")[script]], env=env, check=True, timeout=30)
    recorded = calls.read_text().split("--end--\n")
    return [call.splitlines() for call in recorded if call]


def option(call: list[str], name: str) -> list[str]:
    return [call[i + 1] for i, word in enumerate(call) if word == name]


def expected_config(topic) -> dict[str, str]:
    return {"retention.ms": str(topic.retention_ms), "cleanup.policy": "compact" if topic.compacted else "delete"}


def test_topics_step_creates_every_topic_with_partitions_and_retention(config: dict[str, Any], tmp_path: Path) -> None:
    calls = run_topics_step(config, tmp_path, existing=[])
    assert calls[0][0] == "kafka-topics.sh" and "--list" in calls[0]
    creates = [call for call in calls[1:] if "--create" in call]
    assert len(creates) == len(calls) - 1
    created = {}
    for call in creates:
        assert option(call, "--bootstrap-server") == ["kafka:9092"]
        assert option(call, "--replication-factor") == ["1"]
        configs = dict(c.split("=", 1) for c in option(call, "--config"))
        created[option(call, "--topic")[0]] = (int(option(call, "--partitions")[0]), configs)
    assert created == {t.name: (t.partitions, expected_config(t)) for t in all_topics()}


def test_topics_step_updates_the_config_of_existing_topics(config: dict[str, Any], tmp_path: Path) -> None:
    calls = run_topics_step(config, tmp_path, existing=[t.name for t in all_topics()])
    assert not [call for call in calls if "--create" in call]
    altered = {}
    for call in calls[1:]:
        assert call[0] == "kafka-configs.sh" and "--alter" in call and option(call, "--entity-type") == ["topics"]
        (added,) = option(call, "--add-config")
        altered[option(call, "--entity-name")[0]] = dict(pair.split("=", 1) for pair in added.split(","))
    assert altered == {t.name: expected_config(t) for t in all_topics()}


def test_personal_data_topics_have_bounded_retention() -> None:
    for topic in all_topics():
        if topic.personal_data:
            assert topic.retention_ms > 0 and not topic.compacted, topic.name


# ---- the PostgreSQL init script ----------------------------------------------------------------

def psql(server: EmbeddedPostgres, *args: str, env: dict[str, str] | None = None, user: str = "postgres",
         database: str = "postgres") -> subprocess.CompletedProcess[str]:
    """psql as the postgres image's entrypoint runs it for the init scripts."""
    binary = Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"
    socket_dir = urlsplit(server.url).query.removeprefix("host=")
    command = [binary, "-v", "ON_ERROR_STOP=1", "--no-password", "--no-psqlrc", "--host", socket_dir,
               "--username", user, "--dbname", database, *args]
    return subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=60)


def test_postgres_init_creates_a_role_and_database_per_service_that_migrations_work_with(
    config: dict[str, Any], tmp_path: Path,
) -> None:
    postgres_env = service_env(config, "postgres")
    server = EmbeddedPostgres(tmp_path / "postgres", delete_on_stop=True)
    try:
        result = psql(server, "-f", str(REPO / "deploy/compose/postgres-init.sql"), env=postgres_env)
        assert result.returncode == 0, result.stderr

        socket_dir = urlsplit(server.url).query.removeprefix("host=")
        migrations = {}
        for service in SERVICES:
            compose_url = urlsplit(service_env(config, f"{service}-migrate")["DATABASE_URL"])
            # The compose URL, pointed at the embedded server's socket.
            url = f"postgresql://{compose_url.username}:{compose_url.password}@/{service}?host={socket_dir}"
            env = {**os.environ, **service_env(config, f"{service}-migrate"), "DATABASE_URL": url}
            migrations[service] = subprocess.Popen([sys.executable, "-m", service, "migrate"], env=env,
                                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for service, process in migrations.items():
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 0, f"{service} migrate as role {service}: {output.decode()[-2000:]}"

        for service in SERVICES:
            owner = psql(server, "-At", "-c", f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{service}'")
            assert owner.stdout.strip() == service
            tables = psql(server, "-At", "-c", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                          user=service, database=service)
            assert int(tables.stdout) > 0, f"{service}: migrated, so it has tables"
            for other in SERVICES:
                if other != service:
                    denied = psql(server, "-c", "SELECT 1", user=service, database=other)
                    assert denied.returncode != 0 and "permission denied" in denied.stderr
    finally:
        server.stop()
