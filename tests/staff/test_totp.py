"""The TOTP second factor: enrolment (secret, URI and QR code, confirmed with a right code), the code after
the password at sign-in (right, wrong, replayed), wrong codes limited, and an operator's requirement that
admins use it."""

import re
from uuid import uuid4

import httpx
import pyotp

from treffpunkt_shared.contracts.staff import Membership, Role

from ..services import RunningService
from .conftest import MovableClock, add_account, hidden_field, sign_in, signed_in_client
from .test_invitations import audit

PASSWORD = "richtig-langes-passwort"
EMAIL = "olga@example.org"


def secret_on(page: str) -> str:
    found = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert found, "no secret on the page"
    return found.group(1).replace(" ", "")


def wrong_code(secret: str, clock: MovableClock) -> str:
    """A code that none of the steps near now has."""
    totp = pyotp.TOTP(secret)
    near = {totp.at(clock.now(), counter_offset=offset) for offset in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(10**6)) if code not in near)


async def enrol(client: httpx.AsyncClient, csrf: str, clock: MovableClock) -> str:
    """Set the factor up as a person with an authenticator app does; the secret."""
    page = await client.get("/account/totp")
    assert page.status_code == 200, page.text
    secret = secret_on(page.text)
    assert f"secret={secret}" in page.text and 'src="data:image/svg+xml' in page.text
    answer = await client.post("/account/totp", data={"code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf})
    assert answer.status_code == 200 and "Der zweite Faktor ist eingerichtet" in answer.text, answer.text
    return secret


async def code_step(client: httpx.AsyncClient, code: str) -> httpx.Response:
    page = await client.get("/sign-in/totp")
    assert page.status_code == 200, page.text
    return await client.post("/sign-in/totp", data={"code": code, "csrf_token": hidden_field(page.text, "csrf_token")})


async def test_enrolment_shows_the_secret_and_needs_a_right_code(staff: RunningService, clock: MovableClock) -> None:
    account_id = str(await add_account(staff, EMAIL, PASSWORD, name="Olga Orga"))
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):
        page = await client.get("/account/totp")
        secret = secret_on(page.text)
        assert "otpauth://totp/Treffpunkt:olga%40example.org?secret=" in page.text
        assert secret_on((await client.get("/account/totp")).text) == secret  # the same until confirmed
        wrong = await client.post("/account/totp", data={"code": wrong_code(secret, clock), "csrf_token": csrf})
        assert wrong.status_code == 422 and "Der Code stimmt nicht" in wrong.text
        forged = await client.post("/account/totp", data={"code": pyotp.TOTP(secret).at(clock.now())})
        assert forged.status_code == 403
        answer = await client.post("/account/totp", data={"code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf})
        assert answer.status_code == 200
        already = await client.get("/account/totp")
        assert "Für Ihr Konto ist ein zweiter Faktor eingerichtet." in already.text and secret not in already.text
    assert [a for _, a, _ in await audit(staff) if a.startswith("totp")] == ["totp_failed", "totp_enrolled"]
    assert (account_id, "totp_enrolled", account_id) in await audit(staff)


async def test_sign_in_asks_for_the_code_and_refuses_a_wrong_or_replayed_one(staff: RunningService,
                                                                           clock: MovableClock) -> None:
    account_id = str(await add_account(staff, EMAIL, PASSWORD, name="Olga Orga"))
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):
        secret = await enrol(client, csrf, clock)
    clock.advance(seconds=30)  # the enrolment's code is used: the next step's
    totp = pyotp.TOTP(secret)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as browser:
        answer = await sign_in(browser, EMAIL, PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in/totp")
        assert "treffpunkt_staff=" not in answer.headers.get("set-cookie", "")
        assert (await browser.get("/")).status_code == 303  # not signed in yet
        right = totp.at(clock.now())
        refused = await code_step(browser, wrong_code(secret, clock))
        assert refused.status_code == 401 and "Der Code stimmt nicht oder wurde schon benutzt" in refused.text
        accepted = await code_step(browser, right)
        assert accepted.status_code == 303 and accepted.headers["location"] == "/"
        assert (await browser.get("/")).status_code == 200
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as other:
        assert (await sign_in(other, EMAIL, PASSWORD)).status_code == 303
        replayed = await code_step(other, right)  # the same code again, within its 30 seconds
        assert replayed.status_code == 401
        clock.advance(seconds=30)
        assert (await code_step(other, totp.at(clock.now()))).status_code == 303
    actions = [(actor, action) for actor, action, target in await audit(staff) if target == account_id]
    assert [a for _, a in actions if a.startswith("totp")] == ["totp_enrolled", "totp_failed", "totp_used",
                                                              "totp_failed", "totp_used"]
    assert all(actor == account_id for actor, a in actions if a.startswith("totp"))


async def test_wrong_codes_are_limited_per_account(start_staff, clock: MovableClock) -> None:
    staff = await start_staff(totp_failures_per_account=2)
    await add_account(staff, EMAIL, PASSWORD, name="Olga Orga")
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):
        secret = await enrol(client, csrf, clock)
    clock.advance(seconds=30)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as browser:
        await sign_in(browser, EMAIL, PASSWORD)
        right = pyotp.TOTP(secret).at(clock.now())
        for _ in range(2):
            assert (await code_step(browser, wrong_code(secret, clock))).status_code == 401
        limited = await code_step(browser, right)  # even the right one, for now
        assert limited.status_code == 429 and "Zu viele falsche Codes" in limited.text
    clock.advance(seconds=staff.settings.sign_in_window_seconds)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as browser:
        await sign_in(browser, EMAIL, PASSWORD)
        assert (await code_step(browser, pyotp.TOTP(secret).at(clock.now()))).status_code == 303


async def test_a_pending_sign_in_ends_after_five_minutes(staff: RunningService, clock: MovableClock) -> None:
    await add_account(staff, EMAIL, PASSWORD, name="Olga Orga")
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):
        secret = await enrol(client, csrf, clock)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as browser:
        await sign_in(browser, EMAIL, PASSWORD)
        page = await browser.get("/sign-in/totp")
        clock.advance(minutes=5)
        late = await browser.post("/sign-in/totp", data={"code": pyotp.TOTP(secret).at(clock.now()),
                                                         "csrf_token": hidden_field(page.text, "csrf_token")})
        assert late.status_code == 303 and late.headers["location"].startswith("/sign-in?")
        assert (await browser.get("/")).status_code == 303


async def test_an_admin_must_enrol_first_where_the_operator_requires_it(start_staff, clock: MovableClock) -> None:
    staff = await start_staff(require_totp_for_admins=True)
    await add_account(staff, "admin@example.org", PASSWORD, [Membership(role=Role.admin)], name="Anna Admin")
    await add_account(staff, EMAIL, PASSWORD, name="Olga Orga")
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):  # not an admin: not asked to enrol
        token = await client.post("/api/tokens", json={"audience": "registration"}, headers={"X-CSRF-Token": csrf})
        assert token.status_code == 200, token.text
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as admin:
        assert (await sign_in(admin, "admin@example.org", PASSWORD)).status_code == 303
        home = await admin.get("/")
        assert home.status_code == 303 and home.headers["location"].startswith("/account/totp")
        page = await admin.get("/account/totp")
        assert "Für Konten mit der Rolle Admin ist ein zweiter Faktor vorgeschrieben." in page.text
        refused = await admin.get("/api/staff/accounts")
        assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
        csrf = hidden_field(page.text, "csrf_token")
        token = await admin.post("/api/tokens", json={"audience": "registration"}, headers={"X-CSRF-Token": csrf})
        assert token.status_code == 403
        secret = await enrol(admin, csrf, clock)
        assert (await admin.get("/api/staff/accounts")).status_code == 200
        assert (await admin.get("/")).status_code == 200
    clock.advance(seconds=30)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as admin:
        assert (await sign_in(admin, "admin@example.org", PASSWORD)).headers["location"].startswith("/sign-in/totp")
        assert (await code_step(admin, pyotp.TOTP(secret).at(clock.now()))).status_code == 303


async def test_an_admin_removes_a_lost_factor(staff: RunningService, clock: MovableClock) -> None:
    admin_id = str(await add_account(staff, "admin@example.org", PASSWORD, [Membership(role=Role.admin)]))
    account_id = str(await add_account(staff, EMAIL, PASSWORD, name="Olga Orga"))
    async with signed_in_client(staff, EMAIL, PASSWORD) as (client, csrf):
        await enrol(client, csrf, clock)
        refused = await client.delete(f"/api/staff/accounts/{account_id}/totp", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 403  # not an admin, not even for their own
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as admin:
        assert (await sign_in(admin, "admin@example.org", PASSWORD)).status_code == 303
        csrf = hidden_field((await admin.get("/")).text, "csrf_token")
        removed = await admin.delete(f"/api/staff/accounts/{account_id}/totp", headers={"X-CSRF-Token": csrf})
        assert removed.status_code == 204
        unknown = await admin.delete(f"/api/staff/accounts/{uuid4()}/totp", headers={"X-CSRF-Token": csrf})
        assert unknown.status_code == 404
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as browser:
        answer = await sign_in(browser, EMAIL, PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"] == "/"  # the password only, again
    assert (admin_id, "totp_removed", account_id) in await audit(staff)
