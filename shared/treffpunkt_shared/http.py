"""HTTP plumbing every service mounts: liveness, readiness, metrics, request metrics."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .errors import InvalidField, Refused
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

ReadinessCheck = Callable[[], Awaitable[None]]


class Readiness:
    """Named checks that must all pass, and a switch that is off while starting and shutting down."""

    def __init__(self) -> None:
        self.checks: dict[str, ReadinessCheck] = {}
        self.accepting = False

    async def report(self, timeout: float = 2.0) -> dict[str, str]:
        async def run(check: ReadinessCheck) -> str:
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as exc:  # any failure means not ready; say which
                return f"failed: {type(exc).__name__}"
            return "ok"

        names = list(self.checks)
        results = await asyncio.gather(*(run(self.checks[name]) for name in names))
        report = dict(zip(names, results, strict=True))
        report["accepting"] = "ok" if self.accepting else "starting or stopping"
        return report


def operations_router(readiness: Readiness) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and broker reachable, and accepting work")
    async def readyz() -> JSONResponse:
        report = await readiness.report()
        ready = all(value == "ok" for value in report.values())
        return JSONResponse({"ready": ready, "checks": report}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def instrument(app: FastAPI) -> None:
    """Count requests and their latency by route template (never by raw path: no ids in labels)."""

    @app.middleware("http")
    async def record(request: Request, call_next):
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(request.method, template, str(status)).inc()
            HTTP_LATENCY.labels(request.method, template).observe(time.perf_counter() - started)


async def _refused(_: Request, error: Refused) -> JSONResponse:
    # A rule broken by a field's value looks exactly like FastAPI's own validation errors (422,
    # `detail[].loc` naming the field), so clients handle both alike.
    if isinstance(error, InvalidField):
        loc: list[str | int] = [error.location, error.field]
        if error.index is not None:
            loc.append(error.index)
        body: dict = {"detail": [{"loc": loc, "msg": error.message, "type": "value_error"}]}
    else:
        body = {"detail": error.message}
    return JSONResponse(body, status_code=error.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Refused, _refused)
