"""The staff app's calls to the other services' staff APIs, each with the signed-in account's own access token
for that service (its audience): the services decide what the account may see and do, never the staff app.

One `httpx.AsyncClient` per app (connection reuse); a `ServiceCalls` per request, which mints a token per
audience when first needed (tokens live minutes, a request lasts milliseconds)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Service = Literal["catalog", "registration", "notification"]


class ServiceRefused(Exception):
    """A service answered with an error (`status`), or could not be reached (`status` 503).
    `field_errors`: for a 422, each field the service names (the last part of `loc`) with the error's `type`."""

    def __init__(self, status: int, detail: Any, service: Service) -> None:
        super().__init__(f"{service} answered {status}")
        self.status = status
        self.detail = detail
        self.service = service

    @property
    def field_errors(self) -> dict[str, str]:
        if self.status != 422 or not isinstance(self.detail, list):
            return {}
        errors: dict[str, str] = {}
        for item in self.detail:
            # The first part says where (body, query, path); a field may itself be called "body".
            location = list(item.get("loc", []))
            if location and location[0] in ("body", "query", "path", "header"):
                location = location[1:]
            name = ".".join(str(part) for part in location if not isinstance(part, int)) or "form"
            errors.setdefault(name, item.get("type", "invalid"))
        return errors


@dataclass
class ServiceCalls:
    client: httpx.AsyncClient
    base_urls: dict[str, str]
    mint: Callable[[str], Awaitable[str]]  # the account's access token for an audience
    _tokens: dict[str, str] = field(default_factory=dict)

    async def send(self, method: str, service: Service, path: str, *, params: Any = None, json: Any = None,
                   lang: str | None = None) -> httpx.Response:
        """The raw answer (for downloads); unreachable services raise `ServiceRefused` with 503."""
        if service not in self._tokens:
            self._tokens[service] = await self.mint(service)
        headers = {"Authorization": f"Bearer {self._tokens[service]}"}
        if lang:
            headers["Accept-Language"] = lang
        try:
            return await self.client.request(method, self.base_urls[service].rstrip("/") + path, params=params,
                                             json=json, headers=headers)
        except httpx.HTTPError as error:
            raise ServiceRefused(503, type(error).__name__, service) from error

    async def call(self, method: str, service: Service, path: str, *, params: Any = None, json: Any = None) -> Any:
        """The answer's JSON (None when it has no body); an error answer raises `ServiceRefused`."""
        response = await self.send(method, service, path, params=params, json=json)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:500]
            raise ServiceRefused(response.status_code, detail, service)
        return response.json() if response.content else None

    async def get(self, service: Service, path: str, *, params: Any = None) -> Any:
        return await self.call("GET", service, path, params=params)

    async def post(self, service: Service, path: str, json: Any = None) -> Any:
        return await self.call("POST", service, path, json=json)

    async def put(self, service: Service, path: str, json: Any = None) -> Any:
        return await self.call("PUT", service, path, json=json)

    async def patch(self, service: Service, path: str, json: Any = None) -> Any:
        return await self.call("PATCH", service, path, json=json)

    async def delete(self, service: Service, path: str) -> Any:
        return await self.call("DELETE", service, path)
