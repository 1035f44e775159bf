"""Who knocks at the staff routes in the matrix: the names of the principals and the groups the rules are
written with (docs: /work/briefs/policy.md, summarised in docs/architecture.md).

Organisation A organises event E_A, organisation B event E_B; contact person C (of A) is named in the first of
E_A's two sessions. The machine tokens act by their scope like the corresponding account; a read-only one is
refused (403) every changing route whatever its scope admits.
"""

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from treffpunkt_shared.contracts.staff import Membership
from treffpunkt_shared.db import connect
from treffpunkt_shared.staff_access import revoke_token
from treffpunkt_shared.staff_tokens import new_signing_key

from ..staff_tokens import ADMIN as STAFF_ADMIN
from ..staff_tokens import StaffIssuer, contact, organiser

ANONYMOUS = "anonymous"
ADMIN = "admin"
ORGANISER_A = "organiser-A"
ORGANISER_B = "organiser-B"
CONTACT_C = "contact-C"
NO_MEMBERSHIPS = "no-memberships"
MACHINE_ALL = "machine-all-write"
MACHINE_A_READ = "machine-A-read"
MACHINE_B = "machine-B-write"
EXPIRED_JWT = "jwt-expired"
WRONG_AUDIENCE_JWT = "jwt-wrong-audience"
UNKNOWN_KEY_JWT = "jwt-unknown-key"
REVOKED_MACHINE = "machine-revoked"

# No valid credentials: 401 on every staff route.
UNAUTHENTICATED = (ANONYMOUS, EXPIRED_JWT, WRONG_AUDIENCE_JWT, UNKNOWN_KEY_JWT, REVOKED_MACHINE)
AUTHENTICATED = (ADMIN, ORGANISER_A, ORGANISER_B, CONTACT_C, NO_MEMBERSHIPS, MACHINE_ALL, MACHINE_A_READ, MACHINE_B)
PRINCIPALS = AUTHENTICATED + UNAUTHENTICATED
READ_ONLY = frozenset({MACHINE_A_READ})

# The groups the rules name.
EVERYONE = frozenset(AUTHENTICATED)
ADMINS = frozenset({ADMIN, MACHINE_ALL})
ORGANISERS_OF_A = ADMINS | {ORGANISER_A, MACHINE_A_READ}
ORGANISERS_OF_B = ADMINS | {ORGANISER_B, MACHINE_B}


@dataclass
class Principal:
    """A principal's `Authorization` header for each service (none for anonymous), its account id where it is
    an account, and the actor its audit entries name."""

    name: str
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    account_id: str | None = None
    actor: str | None = None  # what its audit entries name

    def headers_for(self, service: str) -> dict[str, str]:
        return self.headers.get(service, {})


async def make_principals(services: dict[str, Any], world: Any, issuer: StaffIssuer) -> dict[str, Principal]:
    """Every principal, for the services running the matrix: machine tokens through the tests' helper (one of
    them revoked), account access tokens minted by the test issuer (tests/staff_tokens.py); the bad ones carry
    an admin's scope, so that accepting one would show."""
    org_a, org_b = world.ids["org_A"], world.ids["org_B"]
    made = {ANONYMOUS: Principal(ANONYMOUS)}
    for name, can_write, organisation in ((MACHINE_ALL, True, None), (MACHINE_A_READ, False, org_a), (MACHINE_B, True, org_b)):
        tokens = {service: await running.create_token(can_write=can_write, organisation_id=organisation, name=f"matrix-{name}")
                  for service, running in services.items()}
        made[name] = Principal(name, {service: _bearer(token) for service, token in tokens.items()}, actor=f"token:matrix-{name}")
    made[REVOKED_MACHINE] = await _revoked(services)
    accounts = {ADMIN: [STAFF_ADMIN], ORGANISER_A: [organiser(org_a)], ORGANISER_B: [organiser(org_b)],
                CONTACT_C: [contact(world.ids["contact_C"])], NO_MEMBERSHIPS: []}
    for name, memberships in accounts.items():
        made[name] = _account(issuer, list(services), name, memberships)
    # Minutes-long, as the staff service issues them: expired since an hour.
    made[EXPIRED_JWT] = _account(issuer, list(services), EXPIRED_JWT, [STAFF_ADMIN], now=time.time() - 3600 - 300,
                                 lifetime_seconds=300)
    made[WRONG_AUDIENCE_JWT] = _account(issuer, list(services), WRONG_AUDIENCE_JWT, [STAFF_ADMIN], wrong_audience=True)
    made[UNKNOWN_KEY_JWT] = _account(issuer, list(services), UNKNOWN_KEY_JWT, [STAFF_ADMIN], key=new_signing_key())
    return made


async def _revoked(services: dict[str, Any]) -> Principal:
    """A machine token with scope all, revoked (as `revoke-token` does) once made."""
    name = f"matrix-{REVOKED_MACHINE}"
    headers = {}
    for service, running in services.items():
        headers[service] = _bearer(await running.create_token(name=name))
        conn = await connect(running.dsn)
        try:
            assert await revoke_token(conn, name) == 1
        finally:
            await conn.close()
    return Principal(REVOKED_MACHINE, headers)


def _account(issuer: StaffIssuer, services: list[str], name: str, memberships: list[Membership], *,
             wrong_audience: bool = False, **options: Any) -> Principal:
    """An account's access token for each service (with `wrong_audience`, the next service's token). Valid for
    the whole run unless `options` say otherwise: the matrix takes minutes on a busy machine."""
    options = {"lifetime_seconds": 2 * 3600} | options
    account_id = uuid.uuid4()
    headers = {}
    for index, service in enumerate(services):
        audience = services[(index + 1) % len(services)] if wrong_audience else service
        headers[service] = _bearer(issuer.token(audience, *memberships, sub=account_id, name=f"Matrix {name}", **options))
    return Principal(name, headers, str(account_id), str(account_id))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
