"""Who knocks at the staff routes in the matrix: the names of the principals and the groups the rules are
written with (docs: /work/briefs/policy.md, summarised in docs/architecture.md).

Organisation A organises event E_A, organisation B event E_B; contact person C (of A) is named in the first of
E_A's two sessions. The machine tokens act by their scope like the corresponding account; a read-only one is
refused (403) every changing route whatever its scope admits.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

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

# No valid credentials: 401 on every staff route.
UNAUTHENTICATED = (ANONYMOUS, EXPIRED_JWT, WRONG_AUDIENCE_JWT, UNKNOWN_KEY_JWT)
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
    an account (the actor id of its audit entries), or why it could not be made (then its cells fail)."""

    name: str
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    account_id: str | None = None
    missing: str | None = None

    def headers_for(self, service: str) -> dict[str, str]:
        if self.missing:
            raise AssertionError(f"principal {self.name} not available: {self.missing}")
        return self.headers.get(service, {})


async def make_principals(services: dict[str, Any], world: Any, issuer: Any) -> dict[str, Principal]:
    """Every principal, for the services running the matrix: machine tokens through the tests' helper, account
    JWTs minted by the test issuer (tests/staff_tokens.py), the bad JWTs carrying an admin membership (so that
    accepting one would show)."""
    org_a, org_b = world.ids["org_A"], world.ids["org_B"]
    made = {ANONYMOUS: Principal(ANONYMOUS)}
    for name, can_write, organisation in ((MACHINE_ALL, True, None), (MACHINE_A_READ, False, org_a), (MACHINE_B, True, org_b)):
        made[name] = await _machine(services, name, can_write=can_write, organisation_id=organisation)
    admin = [{"role": "admin"}]
    accounts = {
        ADMIN: admin,
        ORGANISER_A: [{"role": "organiser", "organisation_id": org_a}],
        ORGANISER_B: [{"role": "organiser", "organisation_id": org_b}],
        CONTACT_C: [{"role": "contact", "contact_person_id": world.ids["contact_C"]}],
        NO_MEMBERSHIPS: [],
    }
    for name, memberships in accounts.items():
        made[name] = _account(issuer, services, name, memberships)
    made[EXPIRED_JWT] = _account(issuer, services, EXPIRED_JWT, admin, expired=True)
    made[WRONG_AUDIENCE_JWT] = _account(issuer, services, WRONG_AUDIENCE_JWT, admin, wrong_audience=True)
    made[UNKNOWN_KEY_JWT] = _account(issuer, services, UNKNOWN_KEY_JWT, admin, unknown_key=True)
    return made


async def _machine(services: dict[str, Any], name: str, *, can_write: bool, organisation_id: str | None) -> Principal:
    scope = {"organisation_id": organisation_id} if organisation_id else {}
    try:
        tokens = {service: await running.create_token(can_write=can_write, **scope) for service, running in services.items()}
    except TypeError as error:
        return Principal(name, missing=f"the tests' machine-token helper takes no organisation scope ({error})")
    return Principal(name, {service: {"Authorization": f"Bearer {token}"} for service, token in tokens.items()})


def _account(issuer: Any, services: dict[str, Any], name: str, memberships: list[dict[str, str]], *,
             expired: bool = False, wrong_audience: bool = False, unknown_key: bool = False) -> Principal:
    if issuer is None:
        return Principal(name, missing="no test issuer of account JWTs (tests/staff_tokens.py) yet")
    account_id = str(uuid.uuid4())
    names = list(services)
    headers = {}
    for service in names:
        audience = names[(names.index(service) + 1) % len(names)] if wrong_audience else service
        token = issuer.mint(audience=audience, sub=account_id, name=f"Matrix {name}", memberships=memberships,
                            expired=expired, unknown_key=unknown_key)
        headers[service] = {"Authorization": f"Bearer {token}"}
    return Principal(name, headers, account_id)
