"""Request bodies as every service takes them: at most `max_bytes`, read within `read_timeout`
seconds, and a JSON body valid JSON text before any route sees it.

A plain ASGI middleware in front of the app, so no route can skip it. A body announced larger than
the limit (`Content-Length`) is refused before anything is read; a streamed (chunked) body is
refused as soon as it passes the limit, so memory holds the limit at most. A client that sends its
body too slowly gets 408 and the connection is closed (a slowloris holds no worker).

Python's `json` takes `NaN`, `Infinity` and lone surrogate escapes (`"\\ud800"`), which are not
JSON (RFC 8259) and which nothing downstream can store or send back: they are refused here with a
422 naming the problem, like FastAPI's own `json_invalid`, and never reach a route.
"""

import asyncio
import json
from email.message import Message as MimeHeader
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def json_problem(body: bytes) -> str | None:
    """What makes `body` not JSON text, in words for the client (without echoing the body); None if it is."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"The body is not valid UTF-8 (byte {exc.start})."

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number; send a finite number or null.")

    try:
        value = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        return f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
    except ValueError as exc:
        return str(exc)
    if _has_lone_surrogate(value):
        return "The body contains a lone surrogate escape (such as \\ud800), which is not a character."
    return None


def _has_lone_surrogate(value: Any) -> bool:
    # A surrogate pair is decoded into one character by `json`; what stays a surrogate is alone.
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def _is_json(content_type: str | None) -> bool:
    # The media types FastAPI parses as JSON.
    if not content_type:
        return False
    header = MimeHeader()
    header["content-type"] = content_type
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


class RequestBodies:
    def __init__(self, app: ASGIApp, *, max_bytes: int, read_timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is None and "transfer-encoding" not in headers and scope["method"] in BODILESS_METHODS:
            await self.app(scope, receive, send)
            return
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client went away: nobody to answer
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._too_large(send)
                        return
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            await _answer(send, 408, f"The request body did not arrive within {self.read_timeout:g} seconds.",
                          close=True)
            return
        body = b"".join(chunks)
        if body and _is_json(headers.get("content-type")):
            problem = json_problem(body)
            if problem is not None:
                await _answer(send, 422, [{"loc": ["body"], "msg": problem, "type": "json_invalid"}])
                return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, send: Send) -> None:
        # Closed afterwards: the rest of the body is not read, so the connection cannot carry another request.
        await _answer(send, 413, f"The request body is larger than the limit of {self.max_bytes} bytes.", close=True)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read, as one message; then the client's own messages (a disconnect, say)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer(send: Send, status: int, detail: Any, *, close: bool = False) -> None:
    content = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
