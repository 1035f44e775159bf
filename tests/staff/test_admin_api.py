"""The admin API: only a signed-in admin (401 without a session, 403 for others and without the CSRF
header), accounts and memberships, machine tokens on staff.token.v1, the audit trail of each action."""

import hashlib
from uuid import UUID, uuid4

import httpx
import pytest

from treffpunkt_shared.contracts.staff import STAFF_TOKEN_TOPIC, Membership, Role

from ..services import RunningService
from .conftest import add_account, signed_in_client

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
PASSWORD = "richtig-langes-passwort"
ADMIN = "admin@example.org"
ORGANISER = "orga@example.org"

# Every admin route, with a body that would pass (so that only who asks decides the answer).
ROUTES = [
    ("GET", "/api/staff/accounts", None),
    ("POST", "/api/staff/accounts", {"email": "neu@example.org", "display_name": "Neu"}),
    ("GET", "/api/staff/accounts/{account}", None),
    ("PATCH", "/api/staff/accounts/{account}", {"display_name": "Anders"}),
    ("GET", "/api/staff/tokens", None),
    ("POST", "/api/staff/tokens", {"name": "import", "organisation_id": None, "can_write": False}),
    ("POST", "/api/staff/tokens/{token}/revoke", None),
    ("GET", "/api/staff/audit", None),
]


@pytest.fixture
async def accounts(staff: RunningService) -> dict[str, UUID]:
    return {
        "admin": await add_account(staff, ADMIN, PASSWORD, [Membership(role=Role.admin)], name="Anna Admin"),
        "organiser": await add_account(staff, ORGANISER, PASSWORD,
                                       [Membership(role=Role.organiser, organisation_id=ORGANISATION)]),
    }


async def _call(client: httpx.AsyncClient, method: str, path: str, body, csrf: str | None, **ids) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return await client.request(method, path.format(**ids), json=body, headers=headers)


async def test_admin_routes_answer_401_without_a_session_403_for_others_and_without_csrf(
        staff: RunningService, accounts: dict[str, UUID]) -> None:
    ids = {"account": accounts["organiser"], "token": uuid4()}
    for method, path, body in ROUTES:
        assert (await _call(staff.client, method, path, body, None, **ids)).status_code == 401, path
    async with signed_in_client(staff, ORGANISER, PASSWORD) as (client, csrf):
        for method, path, body in ROUTES:
            assert (await _call(client, method, path, body, csrf, **ids)).status_code == 403, path
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        for method, path, body in ROUTES:
            if method != "GET":
                answer = await _call(client, method, path, body, None, **ids)
                assert answer.status_code == 403 and "CSRF" in answer.json()["detail"], path
                assert (await _call(client, method, path, body, "falsch", **ids)).status_code == 403, path
        created = await _call(client, "POST", "/api/staff/tokens", ROUTES[5][2], csrf)
        ids["token"] = created.json()["token_id"]
        for method, path, body in ROUTES:
            answer = await _call(client, method, path, body, csrf, **ids)
            assert answer.status_code in (200, 201), (path, answer.text)


async def test_admins_create_change_and_deactivate_accounts(staff: RunningService, accounts: dict[str, UUID]) -> None:
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        created = await client.post("/api/staff/accounts", headers=headers, json={
            "email": "Kontakt@Example.org", "display_name": "Konrad Kontakt", "language": "en",
            "memberships": [{"role": "contact", "contact_person_id": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e02"}]})
        assert created.status_code == 201, created.text
        account = created.json()
        assert (account["email"], account["language"], account["active"]) == ("kontakt@example.org", "en", True)
        assert account["memberships"] == [{"role": "contact", "organisation_id": None,
                                           "contact_person_id": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e02"}]
        again = await client.post("/api/staff/accounts", headers=headers,
                                  json={"email": "KONTAKT@example.org", "display_name": "Noch einmal"})
        assert again.status_code == 409
        unscoped = await client.post("/api/staff/accounts", headers=headers, json={
            "email": "x@example.org", "display_name": "X", "memberships": [{"role": "organiser"}]})
        assert unscoped.status_code == 422 and "memberships" in str(unscoped.json()["detail"][0]["loc"])
        assert (await client.post("/api/staff/accounts", headers=headers,
                                  json={"email": "kein-at", "display_name": "X"})).status_code == 422
        listed = await client.get("/api/staff/accounts")
        assert [a["email"] for a in listed.json()] == [ADMIN, "kontakt@example.org", ORGANISER]

        changed = await client.patch(f"/api/staff/accounts/{accounts['organiser']}", headers=headers, json={
            "display_name": "Olga Orga", "memberships": [{"role": "organiser", "organisation_id": str(ORGANISATION)},
                                                         {"role": "admin"}]})
        assert changed.status_code == 200
        assert changed.json()["display_name"] == "Olga Orga" and len(changed.json()["memberships"]) == 2
        nulled = await client.patch(f"/api/staff/accounts/{accounts['organiser']}", headers=headers,
                                    json={"display_name": None})
        assert nulled.status_code == 422 and nulled.json()["detail"][0]["loc"] == ["body", "display_name"]
        assert (await client.get(f"/api/staff/accounts/{uuid4()}")).status_code == 404

        async with signed_in_client(staff, ORGANISER, PASSWORD) as (organiser, _):
            deactivated = await client.patch(f"/api/staff/accounts/{accounts['organiser']}", headers=headers,
                                             json={"active": False})
            assert deactivated.status_code == 200 and deactivated.json()["active"] is False
            assert (await organiser.get("/")).status_code == 303  # its session ended
        assert await staff.fetch("SELECT 1 FROM sign_in_session WHERE account_id = $1", accounts["organiser"]) == []

        last_admin = await client.patch(f"/api/staff/accounts/{accounts['admin']}", headers=headers,
                                        json={"memberships": []})
        assert last_admin.status_code == 409
        assert (await client.get(f"/api/staff/accounts/{accounts['admin']}")).json()["memberships"] == [
            {"role": "admin", "organisation_id": None, "contact_person_id": None}]

        trail = (await client.get("/api/staff/audit")).json()
        actions = [(entry["actor"], entry["action"], entry["target_id"]) for entry in reversed(trail)]
        admin = str(accounts["admin"])
        assert (admin, "account_created", account["id"]) in actions
        assert actions.index((admin, "account_changed", str(accounts["organiser"]))) < actions.index(
            (admin, "account_deactivated", str(accounts["organiser"])))


async def test_a_machine_token_is_shown_once_and_its_state_goes_out_on_the_topic(
        staff: RunningService, accounts: dict[str, UUID], read_topic) -> None:
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        created = await client.post("/api/staff/tokens", headers=headers, json={
            "name": "website-import", "organisation_id": str(ORGANISATION), "can_write": False})
        assert created.status_code == 201, created.text
        token = created.json()["token"]
        token_id = created.json()["token_id"]
        assert token.startswith("tpk_") and len(token) > 40
        listed = (await client.get("/api/staff/tokens")).json()
        assert [t["token_id"] for t in listed] == [token_id] and token not in str(listed)
        [row] = await staff.fetch("SELECT token_hash FROM machine_token")
        assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

        revoked = await client.post(f"/api/staff/tokens/{token_id}/revoke", headers=headers)
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        assert (await client.post(f"/api/staff/tokens/{uuid4()}/revoke", headers=headers)).status_code == 404

        first, second = await read_topic(STAFF_TOKEN_TOPIC, count=2, key=token_id)
        assert (first.event_type, first.producer) == ("MachineTokenSaved", "staff")
        assert first.payload["token_hash"] == row["token_hash"] and token not in first.model_dump_json()
        assert (first.payload["organisation_id"], first.payload["can_write"]) == (str(ORGANISATION), False)
        assert first.payload["revoked_at"] is None and second.payload["revoked_at"] is not None

        trail = [(e["action"], e["target_id"]) for e in (await client.get("/api/staff/audit")).json()]
        assert ("token_created", token_id) in trail and ("token_revoked", token_id) in trail


async def test_an_account_reads_its_own_audit_trail_only(staff: RunningService, accounts: dict[str, UUID]) -> None:
    async with signed_in_client(staff, ORGANISER, PASSWORD) as (client, _):
        own = await client.get("/api/staff/audit", params={"account_id": str(accounts["organiser"])})
        assert own.status_code == 200
        assert {entry["action"] for entry in own.json()} == {"account_created", "signed_in"}
        assert (await client.get("/api/staff/audit", params={"account_id": str(accounts["admin"])})).status_code == 403
        assert (await client.get("/api/staff/audit")).status_code == 403
