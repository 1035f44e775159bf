"""Password sign-in, the session it starts, its timeouts, sign-out, and the CSRF checks of the forms."""

from uuid import UUID

import httpx
from argon2 import PasswordHasher

from treffpunkt_shared.contracts.staff import Membership, Role

from ..services import RunningService
from .conftest import MovableClock, add_account, hidden_field, sign_in, signed_in_client

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
PASSWORD = "richtig-langes-passwort"
REFUSED_DE = "E-Mail-Adresse oder Passwort sind nicht richtig."


async def audit(staff: RunningService) -> list[tuple[str, str, str | None]]:
    return [(r["actor"], r["action"], r["target_id"])
            for r in await staff.fetch("SELECT actor, action, target_id FROM audit_entry ORDER BY id")]


async def test_the_right_password_signs_in_with_a_session_cookie_and_shows_who_is_signed_in(staff: RunningService) -> None:
    account = await add_account(staff, "Orga@Example.org", PASSWORD,
                                [Membership(role=Role.organiser, organisation_id=ORGANISATION)], name="Olga Orga")
    answer = await sign_in(staff.client, "orga@example.ORG", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("treffpunkt_staff="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "secure" not in attributes  # http://localhost: make dev
    assert "samesite=lax" in cookie.lower()
    home = await staff.client.get("/")
    assert home.status_code == 200
    assert "Olga Orga" in home.text and "orga@example.org" in home.text
    assert f"Veranstalter der Organisation {ORGANISATION}" in home.text
    english = await staff.client.get("/", params={"lang": "en"})
    assert f"Organiser for organisation {ORGANISATION}" in english.text and 'lang="en"' in english.text
    [row] = await staff.fetch("SELECT token_hash FROM sign_in_session")
    assert row["token_hash"] not in cookie  # the table holds a hash, not the cookie's token
    assert (str(account), "signed_in", str(account)) in await audit(staff)


async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(staff: RunningService) -> None:
    account = await add_account(staff, "orga@example.org", PASSWORD)
    wrong = await sign_in(staff.client, "orga@example.org", "falsch")
    unknown = await sign_in(staff.client, "niemand@example.org", PASSWORD)
    inactive_id = await add_account(staff, "weg@example.org", PASSWORD)
    await staff.fetch("UPDATE staff_account SET active = false WHERE id = $1", inactive_id)
    deactivated = await sign_in(staff.client, "weg@example.org", PASSWORD)
    for answer in (wrong, unknown, deactivated):
        assert answer.status_code == 401 and REFUSED_DE in answer.text
        assert "treffpunkt_staff=" not in answer.headers.get("set-cookie", "")
    english = await sign_in(staff.client, "orga@example.org", "falsch", lang="en")
    assert "The email address or the password is not right." in english.text
    assert (await staff.client.get("/")).headers["location"] == "/sign-in"
    failed = [entry for entry in await audit(staff) if entry[1] == "sign_in_failed"]
    assert failed[0] == ("anonymous", "sign_in_failed", str(account))
    assert failed[1][2].startswith("email-sha256:") and "niemand" not in failed[1][2]
    assert failed[2] == ("anonymous", "sign_in_failed", str(inactive_id))
    rows = await staff.fetch("SELECT actor, target_id FROM audit_entry")
    assert not any("falsch" in str(value) for row in rows for value in row.values())


async def test_failed_sign_ins_are_limited_per_account(start_staff, clock: MovableClock) -> None:
    staff = await start_staff(sign_in_failures_per_account=2)
    await add_account(staff, "orga@example.org", PASSWORD)
    for _ in range(2):
        assert (await sign_in(staff.client, "orga@example.org", "falsch")).status_code == 401
    limited = await sign_in(staff.client, "orga@example.org", PASSWORD)  # even the right one, for now
    assert limited.status_code == 429 and "Zu viele fehlgeschlagene Anmeldeversuche" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    # An address without an account is limited alike (the answer tells nothing about accounts).
    for _ in range(2):
        await sign_in(staff.client, "niemand@example.org", "falsch")
    assert (await sign_in(staff.client, "niemand@example.org", "falsch")).status_code == 429
    clock.advance(seconds=staff.settings.sign_in_window_seconds)
    assert (await sign_in(staff.client, "orga@example.org", PASSWORD)).status_code == 303


async def test_failed_sign_ins_are_limited_per_client_address(start_staff) -> None:
    staff = await start_staff(sign_in_failures_per_client=3, sign_in_failures_per_account=10)
    await add_account(staff, "orga@example.org", PASSWORD)
    for n in range(3):
        assert (await sign_in(staff.client, f"versuch{n}@example.org", "falsch")).status_code == 401
    limited = await sign_in(staff.client, "orga@example.org", PASSWORD)
    assert limited.status_code == 429


async def test_a_session_ends_after_its_idle_time(staff: RunningService, clock: MovableClock) -> None:
    await add_account(staff, "orga@example.org", PASSWORD)
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, _):
        clock.advance(minutes=29)
        assert (await client.get("/")).status_code == 200  # and its idle time starts again
        clock.advance(minutes=29)
        assert (await client.get("/")).status_code == 200
        clock.advance(minutes=30, seconds=1)
        assert (await client.get("/")).headers["location"] == "/sign-in"
    assert await staff.fetch("SELECT 1 FROM sign_in_session") == []


async def test_a_session_ends_after_its_absolute_time_however_busy(staff: RunningService, clock: MovableClock) -> None:
    await add_account(staff, "orga@example.org", PASSWORD)
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, _):
        for _ in range(12 * 3 - 1):
            clock.advance(minutes=20)
            assert (await client.get("/")).status_code == 200
        clock.advance(minutes=20)  # 12 hours after the sign-in
        assert (await client.get("/")).status_code == 303


async def test_sign_out_ends_the_session(staff: RunningService) -> None:
    account = await add_account(staff, "orga@example.org", PASSWORD)
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
        cookie = client.cookies["treffpunkt_staff"]
        answer = await client.post("/sign-out", data={"csrf_token": csrf, "lang": "de"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")
        assert "Sie sind abgemeldet." in (await client.get(answer.headers["location"])).text
    assert await staff.fetch("SELECT 1 FROM sign_in_session") == []
    async with httpx.AsyncClient(base_url=staff.base_url, cookies={"treffpunkt_staff": cookie}) as replay:
        assert (await replay.get("/")).status_code == 303  # the old cookie signs no one in
    assert (str(account), "signed_out", str(account)) in await audit(staff)


async def test_forms_without_their_csrf_token_are_refused(staff: RunningService) -> None:
    await add_account(staff, "orga@example.org", PASSWORD)
    # The sign-in form: its field must repeat its cookie (another site's form has neither).
    form = await staff.client.get("/sign-in")
    token = hidden_field(form.text, "csrf_token")
    async with httpx.AsyncClient(base_url=staff.base_url) as other_site:
        forged = await other_site.post("/sign-in", data={"email": "orga@example.org", "password": PASSWORD,
                                                         "csrf_token": token})
    assert forged.status_code == 403 and "treffpunkt_staff=" not in forged.headers.get("set-cookie", "")
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, _):
        for data in ({}, {"csrf_token": "geraten"}):
            refused = await client.post("/sign-out", data=data)
            assert refused.status_code == 403
        assert (await client.get("/")).status_code == 200  # still signed in


async def test_a_hash_made_with_older_parameters_is_renewed_at_sign_in(staff: RunningService) -> None:
    account = await add_account(staff, "orga@example.org", None)
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    await staff.fetch("UPDATE staff_account SET password_hash = $2 WHERE id = $1", account, old)
    assert (await sign_in(staff.client, "orga@example.org", PASSWORD)).status_code == 303
    [row] = await staff.fetch("SELECT password_hash FROM staff_account")
    assert row["password_hash"] != old and not PasswordHasher().check_needs_rehash(row["password_hash"])
