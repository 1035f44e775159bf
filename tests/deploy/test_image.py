"""The Dockerfile, checked without a Docker engine: its stages and instructions as BuildKit reads
them, the dependency set its `uv sync` installs (from uv.lock, with uv itself), wheels for that
set on the image's platform, the build context after .dockerignore, and its HEALTHCHECK run."""

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.deploy.dockerfile import Dockerfile, DockerIgnore, parse
from tests.deploy.project import REPO, SERVICES, http_port
from tests.deploy.testing_http import HealthServer

# Never in an image: the embedded stack of `make dev` and the tests, and the dev tools. (httpx is in: the
# services fetch the staff service's JWKS with it, treffpunkt_shared.staff_tokens.)
NOT_IN_IMAGES = {"treffpunkt-devstack", "pgserver", "confluent-kafka", "aiosmtpd", "pytest", "ruff", "testcontainers", "uv",
                 "jsonschema"}
GLIBC_MINOR = {"bookworm": 36, "trixie": 41}  # Debian release of the python image -> glibc 2.x


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return parse(REPO / "Dockerfile")


def uv_sync_commands(dockerfile: Dockerfile, stage: str) -> list[list[str]]:
    commands = []
    for run in dockerfile.stages[stage].all("RUN"):
        words = shlex.split(run.arguments)
        while words and words[0].startswith("--mount"):
            words.pop(0)
        if words[:2] == ["uv", "sync"]:
            commands.append(words)
    return commands


def test_one_target_per_service_installing_its_package_from_the_lock(dockerfile: Dockerfile) -> None:
    for service in SERVICES:
        final = dockerfile.stages[service]
        assert final.base == "runtime"
        syncs = uv_sync_commands(dockerfile, f"{service}-build")
        assert len(syncs) == 2, "dependencies first (cached layer), then the workspace packages"
        for command in syncs:
            # --frozen: exactly uv.lock; --no-editable: the venv does not point into /src.
            assert {"--frozen", "--no-dev", "--no-editable"} <= set(command)
            assert command[command.index("--package") + 1] == f"treffpunkt-{service}"
        assert "--no-install-workspace" in syncs[0] and "--no-install-workspace" not in syncs[1]
        copies = [c.arguments for c in final.all("COPY")]
        assert copies == [f"--from={service}-build /app/.venv /app/.venv"]


def test_uv_is_the_version_the_makefile_pins(dockerfile: Dockerfile) -> None:
    makefile_version = re.search(r"^UV_VERSION := (\S+)$", (REPO / "Makefile").read_text(), re.MULTILINE).group(1)
    installs = [run.arguments for run in dockerfile.stages["workspace"].all("RUN") if "pip install" in run.arguments]
    assert installs and all(f"uv=={makefile_version}" in install for install in installs)


def test_base_images_are_pinned_and_builder_and_runtime_share_python(dockerfile: Dockerfile) -> None:
    images = {stage.base for stage in dockerfile.stages.values() if stage.base not in dockerfile.stages}
    # The virtualenv links to the builder's interpreter: the runtime must have the same one.
    assert len(images) == 1, images
    image = images.pop()
    assert re.fullmatch(r"python:3\.1[12]\.\d+-slim-(bookworm|trixie)", image), f"not pinned to a patch release: {image}"
    assert dockerfile.stages["workspace"].base == dockerfile.stages["runtime"].base == image


def test_images_run_as_a_numeric_unprivileged_user(dockerfile: Dockerfile) -> None:
    user = dockerfile.stages["runtime"].one("USER").arguments
    uid, _, gid = user.partition(":")
    # Numeric, or Kubernetes cannot verify runAsNonRoot.
    assert uid.isdigit() and int(uid) >= 1000 and (not gid or gid.isdigit()), user
    for service in SERVICES:
        assert not dockerfile.stages[service].all("USER"), "the service stages keep the runtime's user"


def test_final_images_install_nothing_and_write_no_bytecode(dockerfile: Dockerfile) -> None:
    for service in SERVICES:
        for stage in dockerfile.lineage(service):
            for run in stage.all("RUN"):
                assert not re.search(r"\b(pip|uv|apt-get|apt|apk)\b", run.arguments), f"{stage.name}: {run.arguments}"
        env = dockerfile.inherited_env(service)
        assert env["PYTHONUNBUFFERED"] == "1"
        # The root filesystem is read-only in Kubernetes: bytecode is compiled at build time.
        assert env["PYTHONDONTWRITEBYTECODE"] == "1"
        assert env["PATH"].startswith("/app/.venv/bin:")
    assert dockerfile.inherited_env("catalog-build")["UV_COMPILE_BYTECODE"] == "1"


def test_entrypoint_runs_the_service_in_exec_form(dockerfile: Dockerfile) -> None:
    for service in SERVICES:
        stage = dockerfile.stages[service]
        # Exec form: Python is PID 1 and receives SIGTERM itself (a shell would not pass it on).
        assert stage.one("ENTRYPOINT").exec_form == ["python", "-m", service]
        assert stage.one("CMD").exec_form == ["serve"]
        assert stage.env() == {f"{service.upper()}_HTTP_PORT": str(http_port(service))}
        assert stage.one("EXPOSE").arguments == str(http_port(service))


def healthcheck_command(dockerfile: Dockerfile, service: str) -> list[str]:
    options, command = dockerfile.stages[service].healthcheck()
    assert re.fullmatch(r"(--\w[\w-]*=\S+\s*)+", options), options
    assert command is not None, "HEALTHCHECK CMD in exec form"
    assert command[0] == "python", "slim images have no curl: the check uses Python"
    return command


@pytest.mark.parametrize("service", SERVICES)
def test_healthcheck_passes_on_healthz_and_fails_otherwise(dockerfile: Dockerfile, service: str) -> None:
    command = [sys.executable, *healthcheck_command(dockerfile, service)[1:]]
    port_variable = f"{service.upper()}_HTTP_PORT"
    with HealthServer() as server:
        env = {port_variable: str(server.port)}
        assert subprocess.run(command, env=env, capture_output=True, timeout=20).returncode == 0
        assert server.paths == ["/healthz"]
        server.status = 503
        assert subprocess.run(command, env=env, capture_output=True, timeout=20).returncode != 0
        port = server.port
    # Nothing listening any more.
    assert subprocess.run(command, env={port_variable: str(port)}, capture_output=True, timeout=20).returncode != 0


def image_requirements(dockerfile: Dockerfile, service: str) -> dict[str, str]:
    """What the image's final `uv sync` installs, by asking uv to export the same selection."""
    sync = uv_sync_commands(dockerfile, f"{service}-build")[-1]
    uv = Path(sys.executable).with_name("uv")
    export = [str(uv), "export", *sync[2:], "--no-hashes", "--no-header", "--no-annotate"]
    out = subprocess.run(export, cwd=REPO, capture_output=True, text=True, check=True, timeout=60).stdout
    requirements = {}
    for line in out.splitlines():
        line = line.split(";")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            requirements[canonicalize_name(name)] = version
        elif line.startswith("./"):
            requirements[canonicalize_name(tomllib.loads((REPO / line / "pyproject.toml").read_text())["project"]["name"])] = "workspace"
    return requirements


@pytest.mark.parametrize("service", SERVICES)
def test_image_gets_its_service_and_no_embedded_stack_or_dev_tools(dockerfile: Dockerfile, service: str) -> None:
    requirements = image_requirements(dockerfile, service)
    assert requirements[f"treffpunkt-{service}"] == "workspace"
    assert requirements["treffpunkt-shared"] == "workspace"
    others = {f"treffpunkt-{s}" for s in SERVICES if s != service}
    assert not others & set(requirements)
    assert not NOT_IN_IMAGES & set(requirements), NOT_IN_IMAGES & set(requirements)
    assert {"uvicorn", "asyncpg", "aiokafka", "alembic"} <= set(requirements)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_every_dependency_has_a_wheel_for_the_image(dockerfile: Dockerfile, service: str, machine: str) -> None:
    """The runtime image has no compiler, and the builder should not need one either."""
    image = dockerfile.stages["runtime"].base
    version = re.match(r"python:3\.(\d+)", image)
    glibc = GLIBC_MINOR[image.rsplit("-", 1)[1]]
    python = (3, int(version.group(1)))
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc, 16, -1)]
    platforms += [f"manylinux2014_{machine}"] + ([f"manylinux2010_{machine}", f"manylinux1_{machine}"] if machine == "x86_64" else [])
    supported = set(cpython_tags(python, platforms=platforms)) | set(compatible_tags(python, platforms=platforms))

    lock = {canonicalize_name(p["name"]): p for p in tomllib.loads((REPO / "uv.lock").read_text())["package"]}
    missing = []
    for name, pinned in image_requirements(dockerfile, service).items():
        if pinned == "workspace":
            continue
        package = lock[name]
        assert package["version"] == pinned
        wheels = [parse_wheel_filename(w["url"].rsplit("/", 1)[1])[3] for w in package.get("wheels", [])]
        if not any(tags & supported for tags in wheels):
            missing.append(f"{name}=={pinned}")
    assert not missing, f"no wheel for Python {python} on {machine}: {missing}"


def test_build_context_has_what_the_dockerfile_copies_and_nothing_local(dockerfile: Dockerfile) -> None:
    ignore = DockerIgnore(REPO / ".dockerignore")
    for stage in dockerfile.stages.values():
        for copy in stage.all("COPY"):
            words = copy.arguments.split()
            if any(w.startswith("--from") for w in words):
                continue
            for source in words[:-1]:
                path = REPO / source
                assert path.exists(), source
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
                assert files, source
                for file in files:
                    assert not ignore.excluded(file.relative_to(REPO).as_posix()), f"{file} is copied but ignored"
    for local in [".venv/bin/python", "var/log/catalog.log", ".env", ".git/HEAD", "tests/conftest.py",
                  "shared/treffpunkt_shared/__pycache__/db.cpython-312.pyc", "services/catalog/.venv/pyvenv.cfg",
                  "shared/treffpunkt_shared.egg-info/PKG-INFO", ".pytest_cache/README.md", "deploy/README.md"]:
        assert ignore.excluded(local), f"{local} would be sent to the build"
