"""The HTTP server a service runs (uvicorn with httptools), configured once for `serve` and the tests.

uvicorn times out idle keep-alive connections, but not a client that has begun a request and sends
its headers slowly (or never ends them): such a connection would stay open as long as the client
likes, and a few hundred of them (slowloris) hold every file descriptor. The protocol below closes a
connection whose request headers are not complete within `http_header_timeout_seconds` of the
connection or of the end of the previous response. A slow body is the `RequestBodies` middleware's
business (408)."""

import asyncio

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .settings import ServiceSettings

# After SIGTERM, how long the requests in hand may take to be answered.
GRACEFUL_SHUTDOWN_SECONDS = 20


def header_deadline_protocol(seconds: float) -> type[HttpToolsProtocol]:
    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _header_deadline: asyncio.TimerHandle | None = None

        def _arm_header_deadline(self) -> None:
            self._cancel_header_deadline()
            self._header_deadline = self.loop.call_later(seconds, self._headers_too_slow)

        def _cancel_header_deadline(self) -> None:
            if self._header_deadline is not None:
                self._header_deadline.cancel()
                self._header_deadline = None

        def _headers_too_slow(self) -> None:
            self._header_deadline = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_deadline()

        def on_headers_complete(self) -> None:
            self._cancel_header_deadline()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            pipelined = bool(self.pipeline)  # the next request's headers are in already
            super().on_response_complete()
            if not pipelined and not self.transport.is_closing():
                self._arm_header_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_deadline()
            super().connection_lost(exc)

    return HeaderDeadlineProtocol


def server_config(app: FastAPI, settings: ServiceSettings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        http=header_deadline_protocol(settings.http_header_timeout_seconds),
        # uvicorn trusts 127.0.0.1 by default: only the configured proxies, so that nobody else sets the address.
        proxy_headers=bool(settings.http_trusted_proxies),
        forwarded_allow_ips=settings.http_trusted_proxies or None,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
