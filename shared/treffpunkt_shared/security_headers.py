"""Response headers against the browser-side attacks on the services' pages.

Every response: `X-Content-Type-Options: nosniff` (a JSON answer is never run as a script or page).
Every HTML page: a Content-Security-Policy that allows scripts, styles and images from the service
itself only (no inline script or style, so an injected `<script>` does nothing), forms posted only
to the service, and framing only by the configured embedding origins (`frame-ancestors`; none by
default); `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, since the pages carry the
registrant's token in their URL (status, cancel) or in their links (the answer to the form), or
show seats that change by the minute. The same two for any answer to a URL with a `token`
parameter (the JSON status of a registration). A page that sets its own policy keeps it (the API
docs, which load Swagger UI from its CDN)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE = {"referrer-policy": "no-referrer", "cache-control": "no-store"}


def content_security_policy(*, embed_origins: list[str], scripts: str = "'self'", styles: str = "'self'",
                            images: str = "'self' data:") -> str:
    frame_ancestors = " ".join(embed_origins) or "'none'"
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", f"style-src {styles}", f"img-src {images}",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, embed_origins: list[str]) -> None:
        self.app = app
        self.page_headers = {"content-security-policy": content_security_policy(embed_origins=embed_origins)} | PRIVATE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carries_token = b"token=" in scope.get("query_string", b"")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in self.page_headers.items():
                        headers.setdefault(name, value)
                elif carries_token:
                    for name, value in PRIVATE.items():
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
