"""Who knocks at the staff routes in the matrix: the names of the principals and the groups the rules are
written with (docs: /work/briefs/policy.md, summarised in docs/architecture.md).

Organisation A organises event E_A, organisation B event E_B; contact person C (of A) is named in the first of
E_A's two sessions. The machine tokens act by their scope like the corresponding account; a read-only one is
refused (403) every changing route whatever its scope admits.

At the staff service the accounts are signed in (a session cookie and its CSRF token, `staff_sessions`), the
same accounts whose ids the other services' access tokens carry; a bearer token (machine token or JWT) is no
credential there (401), nor is a staff session at the other services. Two principals are sessions only: an
admin's cookie without the CSRF header (refused every change, 403, as a read-only token is) and the session of
an admin account deactivated since it signed in (401: deactivating ends its sessions).
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
ADMIN_WITHOUT_CSRF = "admin-session-without-csrf"
DEACTIVATED = "account-deactivated"

# No valid credentials: 401 on every staff route.
UNAUTHENTICATED = (ANONYMOUS, EXPIRED_JWT, WRONG_AUDIENCE_JWT, UNKNOWN_KEY_JWT, REVOKED_MACHINE, DEACTIVATED)
AUTHENTICATED = (ADMIN, ORGANISER_A, ORGANISER_B, CONTACT_C, NO_MEMBERSHIPS, MACHINE_ALL, MACHINE_A_READ, MACHINE_B,
                 ADMIN_WITHOUT_CSRF)
PRINCIPALS = AUTHENTICATED + UNAUTHENTICATED
# Refused every change (403) where they are authenticated, whatever the rule admits.
READ_ONLY = frozenset({MACHINE_A_READ, ADMIN_WITHOUT_CSRF})
ACCOUNTS = (ADMIN, ORGANISER_A, ORGANISER_B, CONTACT_C, NO_MEMBERSHIPS)
MACHINES = frozenset({MACHINE_ALL, MACHINE_A_READ, MACHINE_B})
SESSION_SERVICE = "staff"


def unauthenticated_at(service: str) -> frozenset[str]:
    """Who has no credential `service` takes: the staff service takes sessions only, the others bearer tokens."""
    return frozenset(UNAUTHENTICATED) | (MACHINES if service == SESSION_SERVICE else {ADMIN_WITHOUT_CSRF})


# The groups the rules name.
EVERYONE = frozenset(AUTHENTICATED)
ADMINS = frozenset({ADMIN, MACHINE_ALL})
ORGANISERS_OF_A = ADMINS | {ORGANISER_A, MACHINE_A_READ}
ORGANISERS_OF_B = ADMINS | {ORGANISER_B, MACHINE_B}
# At the staff service: its admins, and every signed-in account.
STAFF_ADMINS = frozenset({ADMIN, ADMIN_WITHOUT_CSRF})
SIGNED_IN = frozenset(ACCOUNTS) | STAFF_ADMINS


@dataclass
class Principal:
    """A principal's headers for each service (`Authorization`, or the staff session's cookie and CSRF token;
    none for anonymous), its account id where it is an account, and the actor its audit entries name."""

    name: str
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    account_id: str | None = None
    actor: str | None = None  # what its audit entries name

    def headers_for(self, service: str) -> dict[str, str]:
        return self.headers.get(service, {})


async def make_principals(services: dict[str, Any], world: Any, issuer: StaffIssuer) -> dict[str, Principal]:
    """Every principal, for the services running the matrix: machine tokens through the tests' helper (one of
    them revoked; at the staff service its own, made through its admin API), the accounts made and signed in at
    the staff service (`staff_sessions`) with access tokens for the others minted by the test issuer
    (tests/staff_tokens.py) for the same account ids; the bad ones carry an admin's scope, so that accepting one
    would show."""
    org_a, org_b = world.ids["org_A"], world.ids["org_B"]
    bearer_services = [service for service in services if service != SESSION_SERVICE]
    made = {ANONYMOUS: Principal(ANONYMOUS)}
    for name, can_write, organisation in ((MACHINE_ALL, True, None), (MACHINE_A_READ, False, org_a), (MACHINE_B, True, org_b)):
        tokens = {service: await running.create_token(can_write=can_write, organisation_id=organisation, name=f"matrix-{name}")
                  for service, running in services.items() if service != SESSION_SERVICE}
        if SESSION_SERVICE in services:
            tokens[SESSION_SERVICE] = (await world.machine_token(f"matrix-{name}", organisation, can_write))["token"]
        made[name] = Principal(name, {service: _bearer(token) for service, token in tokens.items()}, actor=f"token:matrix-{name}")
    made[REVOKED_MACHINE] = await _revoked(services, world)
    accounts = {ADMIN: [STAFF_ADMIN], ORGANISER_A: [organiser(org_a)], ORGANISER_B: [organiser(org_b)],
                CONTACT_C: [contact(world.ids["contact_C"])], NO_MEMBERSHIPS: []}
    for name, memberships in accounts.items():
        account_id = await world.staff_account(name, memberships) if SESSION_SERVICE in services else uuid.uuid4()
        made[name] = _account(issuer, bearer_services, name, memberships, account_id=account_id)
    # Minutes-long, as the staff service issues them: expired since an hour.
    made[EXPIRED_JWT] = _account(issuer, bearer_services, EXPIRED_JWT, [STAFF_ADMIN], now=time.time() - 3600 - 300,
                                 lifetime_seconds=300)
    made[WRONG_AUDIENCE_JWT] = _account(issuer, bearer_services, WRONG_AUDIENCE_JWT, [STAFF_ADMIN], wrong_audience=True)
    made[UNKNOWN_KEY_JWT] = _account(issuer, bearer_services, UNKNOWN_KEY_JWT, [STAFF_ADMIN], key=new_signing_key())
    if SESSION_SERVICE in services:
        await _staff_sessions(made, world, bearer_services)
    return made


async def _staff_sessions(made: dict[str, Principal], world: Any, bearer_services: list[str]) -> None:
    """The principals' headers for the staff service: the accounts' sessions; for a bearer one, its bearer
    header of the first bearer service (a JWT the others take, for the JWTs); the session-only principals."""
    for principal in made.values():
        if principal.name in ACCOUNTS:
            principal.headers[SESSION_SERVICE] = world.sessions[principal.name].headers()
        elif principal.name not in MACHINES and principal.name not in (ANONYMOUS, REVOKED_MACHINE):
            principal.headers[SESSION_SERVICE] = principal.headers[bearer_services[0]]
    admin_session = world.sessions[ADMIN]
    made[ADMIN_WITHOUT_CSRF] = Principal(ADMIN_WITHOUT_CSRF, {
        service: admin_session.headers(csrf=False) for service in [*bearer_services, SESSION_SERVICE]},
        made[ADMIN].account_id, made[ADMIN].actor)
    deactivated = await world.deactivated_session()
    made[DEACTIVATED] = Principal(DEACTIVATED, {
        service: deactivated.headers() for service in [*bearer_services, SESSION_SERVICE]})


async def _revoked(services: dict[str, Any], world: Any) -> Principal:
    """A machine token with scope all, revoked (as `revoke-token` does, at the staff service through its admin
    API) once made."""
    name = f"matrix-{REVOKED_MACHINE}"
    headers = {}
    for service, running in services.items():
        if service == SESSION_SERVICE:
            token = await world.machine_token(name, None, True)
            await world.post(SESSION_SERVICE, f"/api/staff/tokens/{token['token_id']}/revoke", expect=200)
            headers[service] = _bearer(token["token"])
            continue
        headers[service] = _bearer(await running.create_token(name=name))
        conn = await connect(running.dsn)
        try:
            assert await revoke_token(conn, name) == 1
        finally:
            await conn.close()
    return Principal(REVOKED_MACHINE, headers)


def _account(issuer: StaffIssuer, services: list[str], name: str, memberships: list[Membership], *,
             wrong_audience: bool = False, account_id: uuid.UUID | str | None = None, **options: Any) -> Principal:
    """An account's access token for each service (with `wrong_audience`, the next service's token). Valid for
    the whole run unless `options` say otherwise: the matrix takes minutes on a busy machine."""
    options = {"lifetime_seconds": 2 * 3600} | options
    account_id = account_id or uuid.uuid4()
    headers = {}
    for index, service in enumerate(services):
        audience = services[(index + 1) % len(services)] if wrong_audience else service
        headers[service] = _bearer(issuer.token(audience, *memberships, sub=account_id, name=f"Matrix {name}", **options))
    return Principal(name, headers, str(account_id), str(account_id))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
