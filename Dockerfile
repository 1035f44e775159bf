# syntax=docker/dockerfile:1
#
# The images of the four services, one target each, built from the repository root:
#
#   docker build --target catalog      -t treffpunkt/catalog:local .
#   docker build --target registration -t treffpunkt/registration:local .
#   docker build --target notification -t treffpunkt/notification:local .
#   docker build --target staff        -t treffpunkt/staff:local .
#
# One file rather than one per service: the services are members of one uv workspace with one
# lock file and share `shared/`, so every image needs the repository root as its build context
# anyway, and four copies of the same recipe would drift apart.
#
# Each image holds a virtualenv with its service, `treffpunkt-shared` and their locked
# dependencies (uv.lock), installed as wheels; no embedded stack (`treffpunkt-devstack`,
# is for `make dev` and the tests), no dev tools, no compiler.

ARG PYTHON_IMAGE=python:3.12.12-slim-trixie

# ---------------------------------------------------------------------------------------------
# uv and the workspace's metadata: everything the dependency layers below depend on.
FROM ${PYTHON_IMAGE} AS workspace
# The same uv as the Makefile's UV_VERSION (a test compares them).
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/catalog/pyproject.toml services/catalog/
COPY services/registration/pyproject.toml services/registration/
COPY services/notification/pyproject.toml services/notification/
COPY services/staff/pyproject.toml services/staff/

# Per service: first the third-party dependencies alone (a layer that changes only with the lock),
# then the workspace packages themselves, as wheels (--no-editable), so the virtualenv does not
# point back into /src.
FROM workspace AS catalog-build
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-catalog --no-editable --no-install-workspace
COPY shared shared
COPY services/catalog services/catalog
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-catalog --no-editable

FROM workspace AS registration-build
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-registration --no-editable --no-install-workspace
COPY shared shared
COPY services/registration services/registration
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-registration --no-editable

FROM workspace AS notification-build
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-notification --no-editable --no-install-workspace
COPY shared shared
COPY services/notification services/notification
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-notification --no-editable

FROM workspace AS staff-build
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-staff --no-editable --no-install-workspace
COPY shared shared
COPY services/staff services/staff
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package treffpunkt-staff --no-editable

# ---------------------------------------------------------------------------------------------
# What every service image has: the same Python as the builder (the virtualenv links to it),
# an unprivileged user with a fixed numeric id (Kubernetes can only verify `runAsNonRoot` for a
# numeric USER), and nothing written outside /tmp at run time: the bytecode is compiled at build
# time, so the root filesystem can be mounted read-only.
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 treffpunkt \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin treffpunkt
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
USER 10001:10001

# The HEALTHCHECKs use Python's urllib (slim images have no curl) against the port the service
# listens on, read from the same variable the service reads, so an override moves both. Any HTTP
# error status or a refused connection raises, and the check fails.
# ENTRYPOINT and CMD are in exec form: Python is PID 1 and gets SIGTERM itself; uvicorn stops
# taking requests, the app's shutdown finishes the work in flight, and the process exits.
# Other commands: `docker run IMAGE migrate`, `... create-token NAME` (staff: `... create-admin EMAIL`, `... rotate-keys`).

FROM runtime AS catalog
COPY --from=catalog-build /app/.venv /app/.venv
ENV CATALOG_HTTP_PORT=8001
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['CATALOG_HTTP_PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m", "catalog"]
CMD ["serve"]

FROM runtime AS registration
COPY --from=registration-build /app/.venv /app/.venv
ENV REGISTRATION_HTTP_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['REGISTRATION_HTTP_PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m", "registration"]
CMD ["serve"]

FROM runtime AS notification
COPY --from=notification-build /app/.venv /app/.venv
ENV NOTIFICATION_HTTP_PORT=8002
EXPOSE 8002
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['NOTIFICATION_HTTP_PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m", "notification"]
CMD ["serve"]

FROM runtime AS staff
COPY --from=staff-build /app/.venv /app/.venv
ENV STAFF_HTTP_PORT=8003
EXPOSE 8003
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['STAFF_HTTP_PORT'], timeout=4)"]
ENTRYPOINT ["python", "-m", "staff"]
CMD ["serve"]
