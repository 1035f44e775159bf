"""Staff access tokens for tests: a test signing key whose public half a small local HTTP server publishes as
the staff service's JWKS, and memberships to put in tokens. The services under test are started with this
server's URL as `staff_issuer` (tests/conftest.py), so they verify the tokens exactly as in production.

`staff_issuer` is a session fixture: tests mint with `staff_issuer.token(audience, *memberships)`, or through
`RunningService.account_headers(*memberships)` for that service's audience.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import pytest

from treffpunkt_shared.contracts.staff import Membership, Role
from treffpunkt_shared.staff_tokens import issue, jwks, new_signing_key

ADMIN = Membership(role=Role.admin)
JWKS_PATH = "/.well-known/jwks.json"


def organiser(organisation_id: UUID | str) -> Membership:
    return Membership(role=Role.organiser, organisation_id=organisation_id)


def contact(contact_person_id: UUID | str) -> Membership:
    return Membership(role=Role.contact, contact_person_id=contact_person_id)


@dataclass
class StaffIssuer:
    """Stands in for the staff service's token issuing: its URL (the issuer) serves the JWKS of `keys`."""

    url: str
    key: Any
    keys: list[Any] = field(default_factory=list)  # published; the signing key first

    def token(self, audience: str, *memberships: Membership, sub: UUID | None = None, name: str = "Test Staff",
              lifetime_seconds: int = 300, now: float | None = None, key: Any = None, issuer: str | None = None) -> str:
        """An access token as the staff service issues it; `key`, `issuer`, `now`: to make a wrong one."""
        return issue(key or self.key, issuer=issuer or self.url, audience=audience, claims_sub=sub or uuid4(),
                     name=name, memberships=list(memberships), lifetime_seconds=lifetime_seconds, now=now)

    def headers(self, audience: str, *memberships: Membership, **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(audience, *memberships, **options)}"}


class _JwksHandler(BaseHTTPRequestHandler):
    issuer: StaffIssuer

    def do_GET(self) -> None:
        if self.path != JWKS_PATH:
            self.send_error(404)
            return
        body = json.dumps(jwks(self.issuer.keys)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def staff_issuer() -> Iterator[StaffIssuer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    key = new_signing_key()
    issuer = StaffIssuer(url=f"http://127.0.0.1:{server.server_address[1]}", key=key, keys=[key])
    server.RequestHandlerClass = type("Handler", (_JwksHandler,), {"issuer": issuer})
    thread = threading.Thread(target=server.serve_forever, name="jwks", daemon=True)
    thread.start()
    yield issuer
    server.shutdown()
    server.server_close()
