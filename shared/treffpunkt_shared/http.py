"""HTTP plumbing every service mounts: liveness, readiness, metrics, request metrics, the correlation
id of requests about a registration, and tracing."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry.trace import Span, TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import DATABASE_UNREACHABLE
from .errors import InvalidField, Refused, TooManyRequests
from .logs import set_correlation_id
from .metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]
OPERATIONS_PATHS = ("/healthz", "/readyz", "/metrics")
# What a 503 asks a client to wait while the database is away: a restart or failover takes seconds.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_UNREACHABLE_MESSAGE = "The service cannot reach its database at the moment. Please try again in a few seconds."


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


def operations_router(readiness: Readiness, measure: Callable[[], Awaitable[None]]) -> APIRouter:
    """`measure`: brings the gauges that are measured at scrape time up to date."""
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
        await measure()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class _RequestMetrics:
    """Counts requests and their latency by route template (never by raw path: no ids in labels).

    A plain ASGI middleware: Starlette's `@app.middleware("http")` runs every request through extra
    tasks and streams, which costs more than the rest of a small request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], template).observe(time.perf_counter() - started)


def instrument(app: FastAPI) -> None:
    app.add_middleware(_RequestMetrics)


async def correlate_request(request: Request) -> None:
    """An app-wide dependency: a request about a registration (its id in the path, or a `registration_id`
    query parameter) has that id as its correlation id, on its log lines and its span. A dependency
    rather than a middleware: the path's parameters are known once the route has matched, and what a
    dependency sets reaches the route."""
    value = request.path_params.get("registration_id") or request.query_params.get("registration_id")
    if value is None:
        return
    try:
        set_correlation_id(str(UUID(str(value))))
    except ValueError:
        return  # not an id (the route answers 422): nothing to correlate, and nothing from the request logged


def trace_requests(app: FastAPI, tracer_provider: TracerProvider) -> None:
    """A server span for each request (continuing a caller's `traceparent`), without the operations routes."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls=",".join(OPERATIONS_PATHS),
        exclude_spans=["receive", "send"], server_request_hook=_without_query,
    )


def _without_query(span: Span, scope: dict[str, Any]) -> None:
    # Query strings carry the signed tokens of registrants' links: spans keep the path only.
    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for name in ("http.url", "url.full"):
        if name in attributes:
            span.set_attribute(name, urlunsplit(urlsplit(str(attributes[name]))._replace(query="")))
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


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
    headers = {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, TooManyRequests) else None
    return JSONResponse(body, status_code=error.status_code, headers=headers)


async def _database_unreachable(request: Request, error: Exception) -> JSONResponse:
    # Not the request's fault nor a bug: a state that passes. 503 with Retry-After tells clients (and
    # the load balancer) to come back, where a 500 would say the service is broken.
    log.warning("%s %s: database unreachable (%s)", request.method, request.url.path, type(error).__name__)
    return JSONResponse({"detail": DATABASE_UNREACHABLE_MESSAGE}, status_code=503,
                        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


async def _invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
    return invalid_request_answer(error)


def invalid_request_answer(error: RequestValidationError,
                           message: Callable[[dict[str, Any]], str] = lambda item: item["msg"]) -> JSONResponse:
    """The 422 for a request that is not valid input, each problem's text from `message` (a service that
    answers in the sender's language passes its own).

    FastAPI's own handler echoes each invalid value (`input`, `ctx`): a 500 for values JSON cannot carry,
    the whole of a large body sent back, and the personal data of a request in the answer. The field's
    name, the message and the type say what is wrong."""
    detail = [{"loc": [_printable(part) for part in item["loc"]], "msg": _printable(message(item)),
               "type": item["type"]} for item in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


def _printable(value: str | int) -> str | int:
    # A name from the request (an unknown key, say) may hold what UTF-8 cannot encode.
    return value.encode("utf-8", "backslashreplace").decode() if isinstance(value, str) else value


def document_common_answers(app: FastAPI) -> None:
    """What the plumbing answers for every route, in the OpenAPI document: the body limits on routes
    that take a body, 503 while the database is away on all but `/healthz`."""
    make_document = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = make_document()
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault("408", {"description": "The body did not arrive in time."})
                    responses.setdefault("413", {"description": "The body is larger than the service takes."})
                if path == "/readyz":
                    responses.setdefault("503", {"description": "Not ready: `checks` says what failed."})
                elif path != "/healthz":
                    responses.setdefault("503", {"description": DATABASE_UNREACHABLE_MESSAGE})
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Refused, _refused)
    for error in DATABASE_UNREACHABLE:
        app.add_exception_handler(error, _database_unreachable)
