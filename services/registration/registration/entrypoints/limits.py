"""Who is registering, for the rate limits: a machine client by its token (`create-client-token`), anyone
else by the client
address (the proxies' `X-Forwarded-For` only behind the configured trusted proxies: uvicorn rewrites
the client address from it there, see `treffpunkt_shared.http_server`); and always the recipient."""

from datetime import datetime

from fastapi import HTTPException, Request, status

from ..adapters import api_clients
from ..adapters.rate_limits import Limit, admit
from ..domain.model import normalise_email
from ..settings import RegistrationSettings


async def admit_registration(request: Request, email: str, *, now: datetime, idempotency_key: str | None = None) -> None:
    """Count this registration against its limits (once, when repeated with the same `idempotency_key`);
    TooManyRequests (429) once one is used up, 401 for a token that is not known."""
    settings: RegistrationSettings = request.app.state.runtime.settings
    pool = request.app.state.pool
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        client = await api_clients.holder(pool, token.strip())
        if client is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "The client token is unknown or revoked.",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        sender = Limit("token", client, settings.rate_limit_per_token)
    else:
        sender = Limit("client", request.client.host if request.client else "", settings.rate_limit_per_client)
    recipient = Limit("recipient", normalise_email(email), settings.rate_limit_per_recipient)
    await admit(pool, [sender, recipient], window_seconds=settings.rate_limit_window_seconds, now=now,
                idempotency_key=idempotency_key)
