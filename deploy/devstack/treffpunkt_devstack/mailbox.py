"""An SMTP mailbox for `make dev` and the tests: a real SMTP server that keeps every
message it receives and shows them on a small web page (like Mailpit, in Python).

    python -m treffpunkt_devstack.mailbox --smtp-port 1025 --web-port 8025

In tests, start it on the running event loop and use `messages` / `wait_for()`;
`go_down()`, `reject_recipients` and `transient_failures` inject SMTP faults.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import itertools
import logging
import mimetypes
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader

from treffpunkt_shared.local_time import BERLIN

from .server import InProcessServer

# Named explicitly so `python -m` logs under the module name, not "__main__".
log = logging.getLogger("treffpunkt_devstack.mailbox")

SIZE_LIMIT = 25 * 1024 * 1024
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["berlin"] = lambda t: t.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class ReceivedMessage:
    id: int
    received_at: datetime
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str | None:
        value = self.message["Message-ID"]
        return None if value is None else str(value).strip()

    @property
    def text(self) -> str | None:
        return self._body("plain")

    @property
    def html(self) -> str | None:
        return self._body("html")

    @property
    def attachments(self) -> list[tuple[str | None, str, bytes]]:
        return [
            (part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b"")
            for part in self.attachment_parts()
        ]

    def _body(self, subtype: str) -> str | None:
        part = self.message.get_body(preferencelist=(subtype,))
        # On the wire lines end in CRLF, and the parser keeps that in the content;
        # callers compare against ordinary Python strings.
        return None if part is None else part.get_content().replace("\r\n", "\n")

    def attachment_parts(self) -> list[EmailMessage]:
        """The MIME parts behind `attachments`, in the same order."""
        # Every leaf part except the bodies shown as text and HTML counts, so an
        # invitation sent as a text/calendar alternative without a filename shows too.
        bodies = [self.message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
        return [
            part
            for part in self.message.walk()
            if not part.is_multipart() and not any(part is body for body in bodies)
        ]


class Mailbox:
    """Message ids count up from 1 and are never reused, not even after `clear()`,
    so a link to a message on the web page never shows a different one."""

    def __init__(self, host: str = "127.0.0.1", smtp_port: int = 0, web_port: int | None = 0):
        self.host = host
        self.smtp_port = smtp_port
        self.web_port = web_port
        self.messages: list[ReceivedMessage] = []
        self.reject_recipients: dict[str, tuple[int, str]] = {}
        self.transient_failures = 0
        self._ids = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._smtp_server: asyncio.Server | None = None
        self._sessions: set[_Session] = set()
        self._web_server: InProcessServer | None = None
        self._web_task: asyncio.Task[None] | None = None

    @property
    def web_url(self) -> str | None:
        if self._web_server is None:
            return None
        return f"http://{_url_host(self.host)}:{self.web_port}"

    async def start(self) -> None:
        if self._smtp_server is not None:
            raise RuntimeError("the mailbox is already running")
        self.smtp_port = await self._listen(self.smtp_port)
        if self.web_port is not None:
            try:
                await self._start_web()
            except BaseException:
                await self.go_down()
                raise
        log.info(
            "Mailbox running: SMTP on %s:%d, web page on %s",
            self.host, self.smtp_port, self.web_url or "(none)",
        )

    async def stop(self) -> None:
        await self.go_down()
        if self._web_server is not None:
            assert self._web_task is not None
            self._web_server.should_exit = True
            await self._web_task
            self._web_server = self._web_task = None

    async def __aenter__(self) -> Mailbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def clear(self) -> None:
        self.messages.clear()

    def get(self, message_id: int) -> ReceivedMessage | None:
        return next((m for m in self.messages if m.id == message_id), None)

    async def wait_for(
        self,
        count: int,
        *,
        timeout: float = 10.0,
        predicate: Callable[[ReceivedMessage], bool] | None = None,
    ) -> list[ReceivedMessage]:
        """Wait until at least `count` messages (matching `predicate`, if given)
        are in the mailbox and return all of those."""

        def matching() -> list[ReceivedMessage]:
            return [m for m in self.messages if predicate is None or predicate(m)]

        try:
            async with asyncio.timeout(timeout):
                async with self._arrived:
                    await self._arrived.wait_for(lambda: len(matching()) >= count)
        except TimeoutError:
            which = " matching the predicate" if predicate else ""
            raise TimeoutError(
                f"expected {count} message(s){which} within {timeout} s, but "
                f"{len(matching())} arrived ({len(self.messages)} in the mailbox)"
            ) from None
        return matching()

    async def go_down(self) -> None:
        if self._smtp_server is None:
            return
        server, self._smtp_server = self._smtp_server, None
        server.close()
        sessions = list(self._sessions)
        for session in sessions:
            if session.transport is not None:
                session.transport.abort()
        # The sessions' tasks end once the aborts are processed; waiting for them
        # keeps "Task was destroyed but it is pending" out of the caller's logs.
        tasks = [s._handler_coroutine for s in sessions if s._handler_coroutine is not None]
        if tasks:
            await asyncio.wait(tasks)
        await server.wait_closed()

    async def come_up(self) -> None:
        if self._smtp_server is None:
            await self._listen(self.smtp_port)

    async def _listen(self, port: int) -> int:
        sock = _bind(self.host, port)
        try:
            self._smtp_server = await asyncio.get_running_loop().create_server(
                lambda: _Session(self), sock=sock
            )
        except BaseException:
            sock.close()
            raise
        return sock.getsockname()[1]

    async def _start_web(self) -> None:
        assert self.web_port is not None
        sock = _bind(self.host, self.web_port)
        self.web_port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self),
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = InProcessServer(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="mailbox-web")
        while not server.started:
            if task.done():
                sock.close()
                task.result()
                raise RuntimeError("the mailbox web page did not start")
            await asyncio.sleep(0.01)
        self._web_server, self._web_task = server, task

    async def _receive(self, envelope: Envelope) -> ReceivedMessage:
        assert envelope.mail_from is not None and envelope.original_content is not None
        message = ReceivedMessage(
            id=next(self._ids),
            received_at=datetime.now(UTC),
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=envelope.original_content,
        )
        self.messages.append(message)
        async with self._arrived:
            self._arrived.notify_all()
        # Ids only: parsing the message for its subject would cost more than receiving it, and the
        # addresses are personal data.
        log.debug("Mailbox received message %d for %d recipient(s)", message.id, len(message.rcpt_tos))
        return message


class _Handler:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        rejection = self.mailbox.reject_recipients.get(address.lower())
        if rejection is not None:
            code, text = rejection
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.mailbox.transient_failures > 0:
            self.mailbox.transient_failures -= 1
            return "451 4.3.0 Try again later"
        message = await self.mailbox._receive(envelope)
        return f"250 2.0.0 OK: queued as {message.id}"


def _accept_any_login(mechanism: str, login: bytes, password: bytes) -> bool:
    return True


class _Session(SMTP):
    """One SMTP connection; it registers with its mailbox so `go_down()` can drop it."""

    def __init__(self, mailbox: Mailbox):
        super().__init__(
            _Handler(mailbox),
            data_size_limit=SIZE_LIMIT,
            enable_SMTPUTF8=True,
            # A fixed name: the default, socket.getfqdn(), can wait on DNS.
            hostname="treffpunkt-mailbox",
            # Clients configured with credentials for a real relay must work here too.
            auth_require_tls=False,
            auth_callback=_accept_any_login,
            loop=asyncio.get_running_loop(),
        )
        self._mailbox = mailbox

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._mailbox._sessions.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._mailbox._sessions.discard(self)
        super().connection_lost(error)


def _bind(host: str, port: int) -> socket.socket:
    family, type_, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    # proto must be IPPROTO_TCP, not 0 as socket.create_server() leaves it: only then
    # does asyncio switch Nagle off for accepted connections, and without that every
    # multi-line SMTP reply waits 40 ms for a delayed ACK.
    sock = socket.socket(family, type_, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen()
    except BaseException:
        sock.close()
        raise
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _content_disposition(kind: str, filename: str) -> str:
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def create_app(mailbox: Mailbox) -> FastAPI:
    app = FastAPI(title="Treffpunkt mailbox", docs_url=None, redoc_url=None, openapi_url=None)

    def find(msg_id: int) -> ReceivedMessage:
        message = mailbox.get(msg_id)
        if message is None:
            raise HTTPException(
                404, f"There is no message {msg_id} in the mailbox (it may have been cleared)."
            )
        return message

    def render(template: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(_TEMPLATES.get_template(template).render(**context))

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return render("mailbox_index.html", messages=list(reversed(mailbox.messages)))

    @app.post("/clear")
    def clear_from_page() -> RedirectResponse:
        mailbox.clear()
        return RedirectResponse("/", status_code=303)

    @app.get("/messages/{msg_id}", response_class=HTMLResponse)
    def message_page(msg_id: int) -> HTMLResponse:
        message = find(msg_id)
        headers = [
            (name, str(message.message[name]))
            for name in ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")
            if message.message[name] is not None
        ]
        return render("mailbox_message.html", m=message, headers=headers)

    @app.get("/messages/{msg_id}/raw")
    def raw(msg_id: int, download: bool = False) -> Response:
        message = find(msg_id)
        if download:
            return Response(
                message.raw,
                media_type="message/rfc822",
                headers={
                    "Content-Disposition": _content_disposition(
                        "attachment", f"message-{msg_id}.eml"
                    )
                },
            )
        return Response(message.raw, media_type="text/plain; charset=utf-8")

    @app.get("/messages/{msg_id}/attachments/{n}")
    def attachment(msg_id: int, n: int) -> Response:
        parts = find(msg_id).attachment_parts()
        if not 0 <= n < len(parts):
            raise HTTPException(
                404, f"Message {msg_id} has {len(parts)} attachment(s), numbered from 0; no {n}."
            )
        part = parts[n]
        content_type = part.get_content_type()
        charset = part.get_content_charset()
        filename = part.get_filename() or (
            f"attachment-{n}{mimetypes.guess_extension(content_type) or '.bin'}"
        )
        return Response(
            part.get_payload(decode=True) or b"",
            media_type=f"{content_type}; charset={charset}" if charset else content_type,
            headers={"Content-Disposition": _content_disposition("attachment", filename)},
        )

    @app.get("/api/messages")
    def api_messages() -> list[dict[str, Any]]:
        return [
            {
                "id": m.id,
                "received_at": m.received_at.isoformat(),
                "mail_from": m.mail_from,
                "to": list(m.rcpt_tos),
                "subject": m.subject,
                "message_id": m.message_id,
                "attachments": [
                    {"filename": filename, "content_type": content_type, "size": len(payload)}
                    for filename, content_type, payload in m.attachments
                ],
            }
            for m in mailbox.messages
        ]

    @app.delete("/api/messages", status_code=204)
    def api_clear() -> Response:
        mailbox.clear()
        return Response(status_code=204)

    return app


async def _run(host: str, smtp_port: int, web_port: int | None) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    async with Mailbox(host, smtp_port, web_port):
        await stopping.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m treffpunkt_devstack.mailbox",
        description="An SMTP server that keeps every message and shows them on a web page.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--web-port", type=int, default=8025)
    parser.add_argument("--no-web", action="store_true", help="run without the web page")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiosmtpd logs every SMTP command and uvicorn every start and stop at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("uvicorn").setLevel(logging.WARNING)
    asyncio.run(_run(args.host, args.smtp_port, None if args.no_web else args.web_port))


if __name__ == "__main__":
    main()
