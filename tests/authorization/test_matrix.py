"""The authorization matrix: every staff route of every service (from the OpenAPI documents) asked by every
principal, each answer checked against the rule in rules.py (status, and for filtered lists what is listed).

A cell is service-METHOD-path[case]-principal. A staff route without a rule fails ("no rule for ..."), so
does a rule without a route; the size of the matrix is printed at the end of the run (conftest.py)."""

import inspect
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from .principals import PRINCIPALS, READ_ONLY, Principal, unauthenticated_at
from .rules import MATRIX_SERVICES, RULES, Case, Rule, Text
from .world import World

ROOT = Path(__file__).parents[2]
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SUCCESS = frozenset({200, 201, 202, 204})  # 202: accepted, e.g. a message queued for sending


STAFF_TAGS = frozenset({"staff", "admin"})  # the staff service tags its admins' routes `admin`
# However they are tagged: a route there without a rule must not slip through. /api/tokens is the staff
# service's access tokens, for a signed-in session (its tag `tokens` also covers the public JWKS).
STAFF_PATHS = ("/api/staff/", "/api/tokens")


def is_staff_operation(path: str, operation: dict[str, Any]) -> bool:
    """How the documents mark a staff route: a staff tag, a bearer security requirement, or a path under
    STAFF_PATHS."""
    return (not STAFF_TAGS.isdisjoint(operation.get("tags", [])) or bool(operation.get("security"))
            or path.startswith(STAFF_PATHS))


def staff_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in document["paths"].items()
            for method, operation in operations.items() if is_staff_operation(path, operation)}


def documented_routes() -> set[tuple[str, str, str]]:
    """The staff routes of the committed OpenAPI documents (kept current with the code by tests/operations)."""
    routes = set()
    for service in MATRIX_SERVICES:
        document = json.loads((ROOT / "docs" / "openapi" / f"{service}.json").read_text())
        routes |= {(service, method, path) for method, path in staff_routes(document)}
    return routes


RULES_BY_ROUTE = {r.route: r for r in RULES}
assert len(RULES_BY_ROUTE) == len(RULES), "two rules for the same route"
ROUTES = documented_routes() | set(RULES_BY_ROUTE)


@dataclass(frozen=True)
class Cell:
    rule: Rule
    case: Case
    principal: str
    unknown_ids: bool = False  # the case's path with ids that name nothing

    @property
    def expected(self) -> frozenset[int]:
        if self.principal in unauthenticated_at(self.rule.service):
            return frozenset({401})
        read_only_refused = self.principal in READ_ONLY and self.rule.method in CHANGING
        if self.unknown_ids and self.case.by_role and self.principal not in self.case.allowed:
            return frozenset({403})
        if self.unknown_ids:
            # Whether a read-only token hears 403 (it may change nothing) or 404 (nothing there) first, the
            # policy leaves open; anything else is wrong.
            return frozenset({403, 404}) if read_only_refused else frozenset({404})
        if read_only_refused or self.principal not in self.case.allowed:
            return frozenset({403})
        return frozenset({self.case.status})


def _has_ids(case: Case) -> bool:
    return any(not isinstance(value, Text) for value in case.path.values())


def _cell_params() -> list[Any]:
    params = []
    for route in sorted(ROUTES):
        service, method, path = route
        label = f"{service}-{method}-{path}"
        rule = RULES_BY_ROUTE.get(route)
        if rule is None:
            params.append(pytest.param(route, None, id=f"{label}-no-rule"))
            continue
        variants = [(case, False, case.name) for case in rule.cases]
        variants += [(rule.cases[0], True, "unknown-id")] if _has_ids(rule.cases[0]) else []
        for case, unknown_ids, name in variants:
            for principal in PRINCIPALS:
                cell = Cell(rule, case, principal, unknown_ids)
                params.append(pytest.param(route, cell, id=f"{label}{f'[{name}]' if name else ''}-{principal}"))
    return params


CELLS = _cell_params()


def matrix_size() -> tuple[int, int, int]:
    """Routes, principals, cells."""
    return len(ROUTES), len(PRINCIPALS), len(CELLS)


@pytest.mark.parametrize(("route", "cell"), CELLS)
async def test_cell(route: tuple[str, str, str], cell: Cell | None, world: World, principals: dict[str, Principal],
                    live_routes: set[tuple[str, str, str]]) -> None:
    service, method, path = route
    assert cell is not None, f"no rule for {method} {path} in {service}: add one to tests/authorization/rules.py"
    assert route in live_routes, (f"a rule for {method} {path} in {service}, but the service has no such staff route: "
                                  "remove the rule or fix its path")
    principal = principals[cell.principal]
    values = {name: await _value(value, world, principals, cell.unknown_ids) for name, value in cell.case.path.items()}
    query = {name: await _value(value, world, principals, False) for name, value in cell.case.query.items()}
    body = cell.case.body(world) if cell.case.body else None
    if inspect.isawaitable(body):  # a body naming fresh objects
        body = await body
    running = world.services[service]
    audited = method in CHANGING if cell.case.audited is None else cell.case.audited
    last_entry = await running.fetch("SELECT coalesce(max(id), 0) AS id FROM audit_entry") if audited else None
    running.client.cookies.clear()  # a principal's session is its headers' cookie, never one the client kept
    response = await running.client.request(
        method, path.format(**values), params=query, json=body, headers=principal.headers_for(service))
    assert response.status_code in cell.expected, (
        f"{cell.principal} {method} {path.format(**values)} {query or ''}: expected {'/'.join(map(str, sorted(cell.expected)))},"
        f" got {response.status_code}: {response.text[:300]}")
    if response.status_code in SUCCESS and cell.principal in cell.case.sees:
        text = _answer_text(response)
        shown = {key for key in cell.case.among if world.markers[key] in text}
        assert shown == cell.case.sees[cell.principal], (
            f"{cell.principal} {method} {path}: lists {sorted(shown)}, should list {sorted(cell.case.sees[cell.principal])}")
    if last_entry is not None:
        entries = await running.fetch(AUDIT_QUERIES.get(service, AUDIT_QUERY), last_entry[0]["id"])
        if response.status_code in SUCCESS:
            assert entries, f"{cell.principal} {method} {path}: done, but no audit entry"
            assert {e["actor"] for e in entries} == {principal.actor}, f"audit entries name {[dict(e) for e in entries]}"
            assert not any("@" in value for e in entries for value in e.values()), f"an address audited: {entries}"
        else:
            assert not entries, f"{cell.principal} {method} {path}: refused, but audited {[dict(e) for e in entries]}"


AUDIT_QUERY = "SELECT actor, action, target_id, actor_name FROM audit_entry WHERE id > $1"
# The staff service's own audit table names no actor_name: the actor is an account's id.
AUDIT_QUERIES = {"staff": "SELECT actor, action, target_id FROM audit_entry WHERE id > $1"}


# The answers the matrix speaks of; the documents list more (422, 503, ...) that it leaves to other tests.
MATRIX_ANSWERS = SUCCESS | {401, 403, 404}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.service}-{r.method}-{r.path}")
async def test_the_openapi_document_lists_the_answers_the_rule_gives(rule: Rule, services) -> None:
    """Each staff route documents 401, 403 where someone is refused, 404 where an id can name nothing, its
    success status; and no refusal that the rule never gives (a client reads them to know what to expect)."""
    operation = services[rule.service].app.openapi()["paths"].get(rule.path, {}).get(rule.method.lower())
    assert operation, f"no {rule.method} {rule.path} in {rule.service}"
    documented = {int(status) for status in operation["responses"] if status.isdigit()} & MATRIX_ANSWERS
    given = set().union(*(cell.values[1].expected for cell in CELLS
                          if cell.values[1] is not None and cell.values[1].rule is rule))
    # Refusals exactly; successes at least those the rule gives (a route may document another one that the
    # matrix does not reach, e.g. a move's 202 while the seat ledger has not answered).
    assert documented - SUCCESS == given - SUCCESS and given & SUCCESS <= documented, (
        f"documented {sorted(documented)}, the rule gives {sorted(given)}")


async def test_every_staff_route_has_a_rule(live_routes: set[tuple[str, str, str]]) -> None:
    """Of the running services (their app.openapi()), not only the committed documents."""
    missing = sorted(live_routes - set(RULES_BY_ROUTE))
    assert not missing, "no rule for: " + ", ".join(f"{m} {p} in {s}" for s, m, p in missing)


async def test_every_rule_has_a_route(live_routes: set[tuple[str, str, str]]) -> None:
    orphans = sorted(set(RULES_BY_ROUTE) - live_routes)
    assert not orphans, "a rule but no staff route: " + ", ".join(f"{m} {p} in {s}" for s, m, p in orphans)


async def _value(value: str | Text, world: World, principals: dict[str, Principal], unknown: bool) -> str:
    """A path or query value: a literal, an account's id, a fresh object, or a world object's id."""
    if isinstance(value, Text):
        return value.value
    if unknown:
        return str(uuid.uuid4())
    if value.startswith("account:"):
        account = principals[value.removeprefix("account:")]
        assert account.account_id, f"principal {account.name} is no account"
        return account.account_id
    if value in world.ids:
        return world.ids[value]
    return await world.fresh(value)


def _answer_text(response: httpx.Response) -> str:
    """Where a world object's marker would show: the text of the answer, or every cell of a spreadsheet."""
    if response.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None)
    return response.text
