"""The authorization matrix's table: one `Rule` per staff route (service, method, path template as in the
service's OpenAPI document), saying how to fill the path from the world, the body of a write, and who may.

A principal in a case's `allowed` gets its `status`; one not in it 403; the unauthenticated ones 401 everywhere;
a read-only machine token 403 on every changing method whatever `allowed` says. Every rule whose path names a
world object is also asked with unknown ids in the path: 404 for any authenticated principal (UNKNOWN_ID
asks so in a query). `sees` says, for filtered lists, which of `among` (world keys) each principal finds in
the answer; the others must be absent. A changing route (or an `audited` reading one, an export) leaves audit
entries naming the principal when it succeeds, and none when it is refused.

A new staff route needs a rule here (test_matrix fails for a route without one, and for a rule without a route).
The staff service is the fourth: its principals are signed-in sessions (principals.py), its admin routes are
admins' whatever they name (`by_role`: the others hear 403 even for ids that name nothing), its audit table is
its own (test_matrix reads each service's `AUDIT_QUERIES`).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .principals import (
    ADMINS,
    CONTACT_C,
    EVERYONE,
    MACHINE_A_READ,
    MACHINE_B,
    NO_MEMBERSHIPS,
    ORGANISER_A,
    ORGANISER_B,
    ORGANISERS_OF_A,
    ORGANISERS_OF_B,
    SIGNED_IN,
    STAFF_ADMINS,
)
from .world import (
    FRESH_ACCOUNT_WITH_TOTP,
    FRESH_CONTACT_PERSON_A,
    FRESH_DRAFT_EVENT_A,
    FRESH_MACHINE_TOKEN,
    FRESH_PUBLISHED_EVENT_A,
    FRESH_REGISTRATION_A1,
    UNKNOWN_ID,
    World,
)

MATRIX_SERVICES = ("catalog", "registration", "notification", "staff")


@dataclass(frozen=True)
class Text:
    """A literal path or query value (not a world key)."""

    value: str


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    status: int = 200
    path: dict[str, str | Text] = field(default_factory=dict)  # parameter -> world key, fresh key or Text
    query: dict[str, str | Text] = field(default_factory=dict)
    body: Callable[[World], dict[str, Any] | Awaitable[dict[str, Any]]] | None = None  # awaitable: makes fresh objects
    among: frozenset[str] = frozenset()
    sees: dict[str, frozenset[str]] = field(default_factory=dict)
    name: str = ""
    # A reading route that leaves an audit entry (True), a changing one that leaves none (False); None: audited
    # when it changes something.
    audited: bool | None = None
    # Who may does not depend on what the path names: the others hear 403 even for ids that name nothing.
    by_role: bool = False


@dataclass(frozen=True)
class Rule:
    service: str
    method: str
    path: str
    cases: tuple[Case, ...]

    @property
    def route(self) -> tuple[str, str, str]:
        return self.service, self.method, self.path


def rule(service: str, method: str, path: str, *cases: Case) -> Rule:
    return Rule(service, method, path, cases)


def same(keys: frozenset[str], *principals: str) -> dict[str, frozenset[str]]:
    return dict.fromkeys(principals, keys)


API = "/api/staff"
EVENTS = frozenset({"event_A", "event_B"})
E_A_REGISTRATIONS = frozenset({"registration_A1", "registration_A2"})
EVERY_REGISTRATION = E_A_REGISTRATIONS | {"registration_B1"}
NONE: frozenset[str] = frozenset()


def _registrations_of_a(**extra: Any) -> Case:
    """E_A's registrations: organisers see both sessions', contact C only the session naming them."""
    return Case(ORGANISERS_OF_A | {CONTACT_C}, path={"event_id": "event_A"} | extra.pop("path", {}),
                among=EVERY_REGISTRATION,
                sees=same(E_A_REGISTRATIONS, *ORGANISERS_OF_A) | {CONTACT_C: frozenset({"registration_A1"})}, **extra)


def _registrations_with_session_filter() -> tuple[Case, ...]:
    """Filtered by session: C may ask for the session naming them, not for the other; each lists its own."""
    return tuple(Case(allowed, name=f"session-{n}", path={"event_id": "event_A"}, query={"session_id": f"session_A{n}"},
                      among=EVERY_REGISTRATION, sees=same(frozenset({f"registration_A{n}"}), *allowed))
                 for n, allowed in ((1, ORGANISERS_OF_A | {CONTACT_C}), (2, ORGANISERS_OF_A)))


def _registrations_of_b(**extra: Any) -> Case:
    return Case(ORGANISERS_OF_B, path={"event_id": "event_B"} | extra.pop("path", {}), among=EVERY_REGISTRATION,
                sees=same(frozenset({"registration_B1"}), *ORGANISERS_OF_B), **{"name": "E_B"} | extra)


def _export(file_format: str) -> tuple[Case, ...]:
    path = {"file_format": Text(file_format)}
    return (_registrations_of_a(name=file_format, path=path, audited=True),
            _registrations_of_b(name=f"{file_format}-E_B", path=path, audited=True))


def _message() -> dict[str, Any]:
    return {"session_id": None, "audience": "confirmed", "subject": "Raumänderung", "body": "Jetzt in Raum 2.14."}


def _audit() -> tuple[Case, ...]:
    """Per event: its organisers; per actor: admins and that account itself; the whole trail: admins."""
    return (Case(ADMINS, name="all"),
            Case(ORGANISERS_OF_A, name="event", query={"event_id": "event_A"}),
            Case(ADMINS | {ORGANISER_A}, name="actor", query={"actor": "account:" + ORGANISER_A}),
            Case(EVERYONE, 404, name="unknown-event", query={"event_id": UNKNOWN_ID}))


async def _fresh_address(world: World) -> dict[str, Any]:
    return {"email": await world.fresh_address()}


def _staff_admins(status: int = 200, **options: Any) -> Case:
    return Case(STAFF_ADMINS, status, by_role=True, **options)


def _new_account(world: World) -> dict[str, Any]:
    return {"email": f"{world.unique('neu').replace(' ', '-')}@matrix.example.org", "display_name": "Neues Konto",
            "memberships": [{"role": "organiser", "organisation_id": world.ids["org_A"]}]}


STAFF_RULES: tuple[Rule, ...] = (
    # The staff service: accounts and machine tokens are its admins'; its audit trail its admins', and each
    # account's own; an access token for any signed-in account.
    rule("staff", "GET", f"{API}/accounts", _staff_admins(among=frozenset({"staff_account"}),
                                                          sees=same(frozenset({"staff_account"}), *STAFF_ADMINS))),
    rule("staff", "POST", f"{API}/accounts", _staff_admins(201, body=_new_account)),
    rule("staff", "GET", f"{API}/accounts/{{account_id}}", _staff_admins(path={"account_id": "staff_account"})),
    rule("staff", "PATCH", f"{API}/accounts/{{account_id}}",
         _staff_admins(path={"account_id": "staff_account"}, body=lambda w: {"display_name": w.unique("Matrix Ziel")})),
    rule("staff", "POST", f"{API}/accounts/{{account_id}}/invite", _staff_admins(path={"account_id": "staff_account"})),
    rule("staff", "DELETE", f"{API}/accounts/{{account_id}}/totp",
         _staff_admins(204, path={"account_id": FRESH_ACCOUNT_WITH_TOTP})),
    rule("staff", "GET", f"{API}/tokens", _staff_admins(among=frozenset({"staff_machine_token"}),
                                                        sees=same(frozenset({"staff_machine_token"}), *STAFF_ADMINS))),
    rule("staff", "POST", f"{API}/tokens",
         _staff_admins(201, body=lambda w: {"name": w.unique("matrix-neu"), "organisation_id": w.ids["org_A"],
                                            "can_write": False})),
    rule("staff", "POST", f"{API}/tokens/{{token_id}}/revoke", _staff_admins(path={"token_id": FRESH_MACHINE_TOKEN})),
    rule("staff", "GET", f"{API}/audit", Case(STAFF_ADMINS, name="all"),
         Case(STAFF_ADMINS | {ORGANISER_A}, name="own", query={"account_id": "account:" + ORGANISER_A})),
    # Issuing a minutes-long access token changes nothing: the services audit what it is used for.
    rule("staff", "POST", "/api/tokens", Case(SIGNED_IN, body=lambda w: {"audience": "registration"}, audited=False)),
)


RULES: tuple[Rule, ...] = (
    # Catalog: the directory (organisations, contact persons, programmes) is for any authenticated principal.
    rule("catalog", "GET", f"{API}/organisations",
         Case(EVERYONE, among=frozenset({"org_A", "org_B"}), sees=same(frozenset({"org_A", "org_B"}), *EVERYONE))),
    rule("catalog", "POST", f"{API}/organisations",
         Case(ADMINS, 201, body=lambda w: {"name": w.unique("Neue Kammer"), "kind": "chamber_of_crafts"})),
    rule("catalog", "GET", f"{API}/organisations/{{organisation_id}}", Case(EVERYONE, path={"organisation_id": "org_A"})),
    rule("catalog", "PATCH", f"{API}/organisations/{{organisation_id}}",
         Case(ORGANISERS_OF_A, path={"organisation_id": "org_A"}, body=lambda w: {"website": "https://a.example.org"}),
         Case(ORGANISERS_OF_B, name="B", path={"organisation_id": "org_B"},
              body=lambda w: {"website": "https://b.example.org"})),
    rule("catalog", "GET", f"{API}/contact-persons",
         Case(EVERYONE, among=frozenset({"contact_C", "contact_D"}),
              sees=same(frozenset({"contact_C", "contact_D"}), *EVERYONE))),
    rule("catalog", "POST", f"{API}/contact-persons",
         Case(ORGANISERS_OF_A, 201, body=lambda w: {
             "organisation_id": w.ids["org_A"], "name": w.unique("Neu"), "email": "neu.a@matrix.example.org"})),
    rule("catalog", "GET", f"{API}/contact-persons/{{contact_person_id}}",
         Case(EVERYONE, path={"contact_person_id": "contact_C"})),
    rule("catalog", "PATCH", f"{API}/contact-persons/{{contact_person_id}}",
         Case(ORGANISERS_OF_A, path={"contact_person_id": "contact_C"}, body=lambda w: {"role": "Ansprechpartnerin"})),
    rule("catalog", "DELETE", f"{API}/contact-persons/{{contact_person_id}}",
         Case(ORGANISERS_OF_A, 204, path={"contact_person_id": FRESH_CONTACT_PERSON_A})),
    rule("catalog", "GET", f"{API}/programmes",
         Case(EVERYONE, among=frozenset({"programme"}), sees=same(frozenset({"programme"}), *EVERYONE))),
    rule("catalog", "POST", f"{API}/programmes", Case(ADMINS, 201, body=lambda w: {"title": w.unique("Programm")})),
    rule("catalog", "GET", f"{API}/programmes/{{programme_id}}", Case(EVERYONE, path={"programme_id": "programme"})),
    rule("catalog", "PATCH", f"{API}/programmes/{{programme_id}}",
         Case(ADMINS, path={"programme_id": "programme"}, body=lambda w: {"description": "Geändert."})),
    # Catalog: events and sessions belong to their organisers; a contact sees the events and sessions naming them.
    rule("catalog", "GET", f"{API}/events",
         Case(EVERYONE, among=EVENTS, sees=same(EVENTS, *ADMINS) | same(frozenset({"event_A"}), ORGANISER_A, MACHINE_A_READ,
                                                                       CONTACT_C)
              | same(frozenset({"event_B"}), ORGANISER_B, MACHINE_B) | {NO_MEMBERSHIPS: NONE})),
    rule("catalog", "POST", f"{API}/events",
         Case(ORGANISERS_OF_A, 201, body=lambda w: _new_event(w, "org_A")),
         Case(ORGANISERS_OF_B, 201, name="B", body=lambda w: _new_event(w, "org_B")),
         Case(ORGANISERS_OF_A | ORGANISERS_OF_B, 201, name="A+B", body=lambda w: _new_event(w, "org_A", "org_B"))),
    rule("catalog", "GET", f"{API}/events/{{event_id}}", Case(ORGANISERS_OF_A | {CONTACT_C}, path={"event_id": "event_A"})),
    rule("catalog", "PATCH", f"{API}/events/{{event_id}}",
         Case(ORGANISERS_OF_A, path={"event_id": "event_A"}, body=lambda w: {"description": "Mit Imbiss."})),
    rule("catalog", "POST", f"{API}/events/{{event_id}}/publish", Case(ORGANISERS_OF_A, path={"event_id": FRESH_DRAFT_EVENT_A})),
    rule("catalog", "POST", f"{API}/events/{{event_id}}/close", Case(ORGANISERS_OF_A, path={"event_id": FRESH_PUBLISHED_EVENT_A})),
    rule("catalog", "POST", f"{API}/events/{{event_id}}/cancel", Case(ORGANISERS_OF_A, path={"event_id": FRESH_DRAFT_EVENT_A})),
    rule("catalog", "POST", f"{API}/events/{{event_id}}/sessions",
         Case(ORGANISERS_OF_A, 201, path={"event_id": FRESH_DRAFT_EVENT_A}, body=lambda w: {"title": "Neu", "capacity": 5})),
    rule("catalog", "GET", f"{API}/sessions/{{session_id}}",
         Case(ORGANISERS_OF_A | {CONTACT_C}, path={"session_id": "session_A1"}),
         Case(ORGANISERS_OF_A, name="session-2", path={"session_id": "session_A2"})),
    rule("catalog", "PATCH", f"{API}/sessions/{{session_id}}",
         Case(ORGANISERS_OF_A, path={"session_id": "session_A1"}, body=lambda w: {"description": "Im Saal 2."})),
    # Registration decides from its catalog copy.
    rule("registration", "GET", f"{API}/events/{{event_id}}/registrations",
         _registrations_of_a(), *_registrations_with_session_filter(), _registrations_of_b()),
    rule("registration", "GET", f"{API}/events/{{event_id}}/registrations.{{file_format}}", *_export("csv"), *_export("xlsx")),
    rule("registration", "GET", f"{API}/registrations/{{registration_id}}",
         Case(ORGANISERS_OF_A | {CONTACT_C}, name="A1", path={"registration_id": "registration_A1"}),
         Case(ORGANISERS_OF_A, name="A2", path={"registration_id": "registration_A2"})),
    rule("registration", "POST", f"{API}/registrations/{{registration_id}}/cancel",
         Case(ORGANISERS_OF_A, path={"registration_id": FRESH_REGISTRATION_A1})),
    # A fresh registration of session A1 to A2 (it has free seats): the seat ledger answers within the wait.
    rule("registration", "POST", f"{API}/registrations/{{registration_id}}/move",
         Case(ORGANISERS_OF_A, path={"registration_id": FRESH_REGISTRATION_A1},
              body=lambda w: {"session_id": str(w.ids["session_A2"])})),
    # Erasure on a person's request: as cancelling; by address, each organiser erases their events' part of
    # it (a fresh address registered for E_A and E_B), contacts none.
    rule("registration", "POST", f"{API}/registrations/{{registration_id}}/erase",
         Case(ORGANISERS_OF_A, path={"registration_id": FRESH_REGISTRATION_A1})),
    rule("registration", "POST", f"{API}/erasures",
         Case(ORGANISERS_OF_A | ORGANISERS_OF_B, body=_fresh_address)),
    # Writing to participants is as cancelling: the event's organisers (a preview changes nothing, audits nothing).
    rule("registration", "POST", f"{API}/events/{{event_id}}/messages/preview",
         Case(ORGANISERS_OF_A, path={"event_id": "event_A"}, body=lambda w: _message(), audited=False)),
    rule("registration", "POST", f"{API}/events/{{event_id}}/messages",
         Case(ORGANISERS_OF_A, 202, path={"event_id": "event_A"}, body=lambda w: _message())),
    rule("registration", "GET", f"{API}/events/{{event_id}}/messages", Case(ORGANISERS_OF_A, path={"event_id": "event_A"})),
    # Notification: a registration's delivery log for its event's organisers and its session's contact persons;
    # by recipient for admins only.
    rule("notification", "GET", "/api/deliveries",
         Case(ORGANISERS_OF_A | {CONTACT_C}, name="registration", query={"registration_id": "registration_A1"},
              among=frozenset({"registration_A1"}),
              sees=same(frozenset({"registration_A1"}), *ORGANISERS_OF_A, CONTACT_C)),
         Case(ORGANISERS_OF_A, name="registration-A2", query={"registration_id": "registration_A2"},
              among=frozenset({"registration_A2"}), sees=same(frozenset({"registration_A2"}), *ORGANISERS_OF_A)),
         Case(ADMINS, name="recipient", query={"recipient": "registration_A1_email"},
              among=frozenset({"registration_A1"}), sees=same(frozenset({"registration_A1"}), *ADMINS))),
    rule("notification", "GET", "/api/contact-persons/{contact_person_id}/preference",
         Case(ORGANISERS_OF_A | {CONTACT_C}, path={"contact_person_id": "contact_C"})),
    rule("notification", "PUT", "/api/contact-persons/{contact_person_id}/preference",
         Case(ORGANISERS_OF_A | {CONTACT_C}, path={"contact_person_id": "contact_C"},
              body=lambda w: {"mode": "immediate", "language": "de"})),
    # The audit trail, in each service.
    rule("catalog", "GET", f"{API}/audit", *_audit()),
    rule("registration", "GET", f"{API}/audit", *_audit()),
    rule("notification", "GET", f"{API}/audit", *_audit()),
    *STAFF_RULES,
)


def _new_event(world: World, *organisations: str) -> dict[str, Any]:
    return {"title": world.unique("Neue Veranstaltung"), "venue_name": "Rathaus", "starts_at": "2030-05-01T09:00:00+02:00",
            "ends_at": "2030-05-01T12:00:00+02:00", "registration_deadline": "2030-04-20T23:59:00+02:00",
            "organiser_ids": [world.ids[organisation] for organisation in organisations]}

