"""A real OpenID provider for the tests: the certified `oidc-provider` (npm, pinned in package-lock.json) run by
node from provider.mjs beside this file, behind a small reverse proxy that a test can have change the token
endpoint's answers (to hand the relying party an ID token for another client, or one whose signature no longer
matches) without the relying party having any test switch: it simply talks to the proxy as its issuer.

`npm ci` runs once per checkout (again when package-lock.json changes); node and npm must be on the PATH
(.ci/run installs them where they are missing).
"""

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin

import httpx
import uvicorn

from treffpunkt_devstack.children import die_with_parent
from treffpunkt_devstack.server import InProcessServer

from ..services import free_port

PROVIDER_DIR = Path(__file__).parent
USERS: dict[str, dict[str, Any]] = json.loads((PROVIDER_DIR / "users.json").read_text())
_INSTALLED_LOCK = PROVIDER_DIR / "node_modules" / ".package-lock.json"  # what `npm ci` installed


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: Sequence[str]

    def as_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "client_secret": self.client_secret,
                "redirect_uris": list(self.redirect_uris)}


def install() -> None:
    """`npm ci` into tests/oidc_provider/node_modules unless what is there was installed from the current lock."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not on the PATH: the OpenID Connect tests run the provider with node")
    lock = PROVIDER_DIR / "package-lock.json"
    with (PROVIDER_DIR / ".install.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # pytest processes of parallel checkouts' runs wait for one install
        if _INSTALLED_LOCK.exists() and _INSTALLED_LOCK.stat().st_mtime >= lock.stat().st_mtime:
            return
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROVIDER_DIR,
                       check=True, timeout=300)


TokenRewrite = Callable[[dict[str, Any]], dict[str, Any]]


class TokenProxy:
    """An ASGI reverse proxy in front of the provider: everything passes through unchanged, except that the
    token endpoint's JSON answer goes through `rewrite` while a test has set one."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.rewrite: TokenRewrite | None = None
        self.token_requests = 0
        # A bare transport, not a client: a client's cookie jar would carry one browser's provider session
        # over to the next.
        self._transport = httpx.AsyncHTTPTransport()

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await self._transport.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["raw_path"].decode() + (f"?{scope['query_string'].decode()}" if scope["query_string"] else "")
        # The Host header stays the proxy's: the provider builds its redirects from it.
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
        request = httpx.Request(scope["method"], urljoin(self.upstream, path), headers=headers, content=body)
        try:
            answer = await self._transport.handle_async_request(request)
            await answer.aread()
        except httpx.TransportError:  # the provider is not up (yet): what a gateway answers
            await send({"type": "http.response.start", "status": 502, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        content = answer.content
        if scope["path"] == "/token":
            self.token_requests += 1
            if self.rewrite is not None and answer.status_code == 200:
                content = json.dumps(self.rewrite(answer.json())).encode()
        hop_by_hop = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}
        response_headers = [(k.encode(), v.encode()) for k, v in answer.headers.multi_items()
                            if k.lower() not in hop_by_hop]
        response_headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": answer.status_code, "headers": response_headers})
        await send({"type": "http.response.body", "body": content})


@dataclass
class OpenIDProvider:
    """The provider (node) on one port and the proxy on another; `issuer` is the proxy's URL, which the provider
    names as its issuer, so every endpoint in its discovery document goes through the proxy.

    `settings` are provider.mjs's environment variables (OIDC_CLOCK_OFFSET_SECONDS, ...)."""

    clients: Sequence[Client]
    log_path: Path
    settings: dict[str, str] = field(default_factory=dict)
    proxy: TokenProxy = field(init=False)
    issuer: str = field(init=False)
    _process: asyncio.subprocess.Process | None = field(init=False, default=None)
    _server: uvicorn.Server | None = field(init=False, default=None)
    _server_task: asyncio.Task | None = field(init=False, default=None)

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(install)
        node_port, proxy_port = free_port(), free_port()
        self.issuer = f"http://127.0.0.1:{proxy_port}"
        env = os.environ | self.settings | {
            "OIDC_PORT": str(node_port),
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENTS": json.dumps([client.as_json() for client in self.clients]),
        }
        with self.log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                "node", str(PROVIDER_DIR / "provider.mjs"), env=env, stdout=log, stderr=log,
                preexec_fn=die_with_parent)
        self.proxy = TokenProxy(f"http://127.0.0.1:{node_port}")
        self._server = InProcessServer(uvicorn.Config(self.proxy, host="127.0.0.1", port=proxy_port,
                                                      log_level="warning", lifespan="on"))
        self._server_task = asyncio.create_task(self._server.serve(), name="oidc-proxy")
        try:
            await self._wait_for_discovery()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def _wait_for_discovery(self, timeout: float = 30.0) -> None:
        url = f"{self.issuer}/.well-known/openid-configuration"
        async with httpx.AsyncClient(timeout=2) as client:
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        if self._process.returncode is not None:
                            raise RuntimeError(f"the OpenID provider exited with {self._process.returncode}; "
                                               f"see {self.log_path}:\n{self.log_path.read_text()[-2000:]}")
                        try:
                            if (await client.get(url)).status_code == 200:
                                return
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.05)
            except TimeoutError:
                raise RuntimeError(f"no discovery document at {url} within {timeout}s; see {self.log_path}") from None

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if self._server is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._server_task, 10)
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()


async def log_in(browser: httpx.AsyncClient, start_url: str, login: str, *, stop_at: str | None = None,
                 password: str | None = None) -> httpx.Response:
    """What a person does in the browser: open `start_url` (a relying party's sign-in link, or an authorization
    URL), which leads to the provider's login form; fill in `login` and its password (from users.json) and
    submit; then follow the redirects back. Returns the last answer, or with `stop_at` the redirect to an
    address starting with it (a relying party that is not running: the test reads the code from it)."""
    form_page = await _follow(browser, await browser.get(start_url), stop_at)
    assert form_page.status_code == 200 and "/interaction/" in str(form_page.url), form_page.text
    answer = await browser.post(str(form_page.url).rstrip("/") + "/login",
                                data={"login": login, "password": password or USERS[login]["password"]})
    last = await _follow(browser, answer, stop_at)
    last.history = [*form_page.history, form_page, *last.history]
    return last


async def _follow(browser: httpx.AsyncClient, answer: httpx.Response, stop_at: str | None) -> httpx.Response:
    history = []
    while answer.is_redirect:
        location = urljoin(str(answer.url), answer.headers["location"])
        if stop_at is not None and location.startswith(stop_at):
            break
        history.append(answer)
        answer = await browser.get(location)
    answer.history = history + answer.history
    return answer
