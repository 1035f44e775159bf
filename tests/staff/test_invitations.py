"""Invitations: an admin invites an account (on creation, or again later) and the email arrives over SMTP
in the account's language, with a link that sets the password once and not after its expiry."""

from urllib.parse import urlsplit
from uuid import UUID, uuid4

import httpx
import pytest

from treffpunkt_shared.contracts.staff import Membership, Role

from ..services import RunningService, free_port
from .conftest import MovableClock, add_account, hidden_field, link_in, sign_in, signed_in_client

ADMIN = "admin@example.org"
PASSWORD = "richtig-langes-passwort"
NEW_PASSWORD = "mein neues Passwort 2027"
ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")


@pytest.fixture
async def staff(start_staff_with_mail) -> RunningService:
    staff = await start_staff_with_mail()
    await add_account(staff, ADMIN, PASSWORD, [Membership(role=Role.admin)], name="Anna Admin")
    return staff


def form_of(page: httpx.Response, password: str, repeated: str | None = None) -> dict[str, str]:
    """The set-password form of `page` filled in."""
    return {"token": hidden_field(page.text, "token"), "csrf_token": hidden_field(page.text, "csrf_token"),
            "lang": hidden_field(page.text, "lang"), "password": password,
            "password_repeat": password if repeated is None else repeated}


async def set_password(client: httpx.AsyncClient, link: str, password: str, repeated: str | None = None
                       ) -> httpx.Response:
    """Open the link and send its form, as a browser does (the page's CSRF cookie and field)."""
    page = await client.get(link)
    if page.status_code != 200:
        return page
    return await client.post(form_action(link), data=form_of(page, password, repeated))


def form_action(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


async def audit(staff: RunningService) -> list[tuple[str, str, str | None]]:
    return [(r["actor"], r["action"], r["target_id"])
            for r in await staff.fetch("SELECT actor, action, target_id FROM audit_entry ORDER BY id")]


async def test_an_account_created_with_invite_gets_an_email_whose_link_sets_the_password_once(
        staff: RunningService, mailbox) -> None:
    admin_id = (await staff.fetch("SELECT id FROM staff_account"))[0]["id"]
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        created = await client.post("/api/staff/accounts", headers={"X-CSRF-Token": csrf}, json={
            "email": "Olga.Orga@Example.org", "display_name": "Olga Orga", "invite": True,
            "memberships": [{"role": "organiser", "organisation_id": str(ORGANISATION)}]})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    [email] = await mailbox.wait_for(1)
    assert email.rcpt_tos == ("olga.orga@example.org",)
    assert email.subject == "Einladung zu Treffpunkt: Legen Sie Ihr Passwort fest"
    assert str(email.message["From"]) == "Treffpunkt Beispielstadt <treffpunkt@beispielstadt.example.de>"
    assert "Guten Tag Olga Orga" in email.text
    link = link_in(email.text, "/invitation")
    assert link.startswith(staff.settings.base_url)
    [row] = await staff.fetch("SELECT token_hash FROM one_time_link")
    assert row["token_hash"] not in link  # only the token's hash is kept

    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(link)
        assert page.status_code == 200 and "olga.orga@example.org" in page.text
        answer = await browser.post(form_action(link), data=form_of(page, NEW_PASSWORD))
        assert answer.status_code == 200 and "Ihr Passwort ist gespeichert" in answer.text
        again = await browser.get(link)
        assert again.status_code == 410 and "ungültig, schon benutzt oder abgelaufen" in again.text
        # The same form sent again (a second tab, say) sets nothing.
        second = await browser.post(form_action(link), data=form_of(page, "noch ein anderes Passwort"))
        assert second.status_code == 410
    assert (await sign_in(staff.client, "olga.orga@example.org", NEW_PASSWORD)).status_code == 303
    entries = await audit(staff)
    assert (str(admin_id), "invitation_sent", account_id) in entries
    assert (account_id, "password_set", account_id) in entries


async def test_the_link_expires_after_72_hours_and_english_accounts_get_english(staff: RunningService, mailbox,
                                                                                clock: MovableClock) -> None:
    account_id = await add_account(staff, "olga@example.org", None, name="Olga Orga", language="en")
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        invited = await client.post(f"/api/staff/accounts/{account_id}/invite", headers={"X-CSRF-Token": csrf})
    assert invited.status_code == 200, invited.text
    [email] = await mailbox.wait_for(1)
    assert email.subject == "Invitation to Treffpunkt: set your password" and "Hello Olga Orga" in email.text
    link = link_in(email.text, "/invitation")
    clock.advance(hours=71, minutes=59)
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(link)
        assert page.status_code == 200 and 'lang="en"' in page.text
        clock.advance(minutes=1)
        expired = await browser.post(form_action(link), data=form_of(page, NEW_PASSWORD))
        assert expired.status_code == 410 and "not valid, already used or expired" in expired.text
    assert (await sign_in(staff.client, "olga@example.org", NEW_PASSWORD)).status_code == 401


async def test_a_new_invitation_replaces_the_earlier_and_a_bad_password_is_refused(staff: RunningService,
                                                                                    mailbox) -> None:
    account_id = await add_account(staff, "olga@example.org", None, name="Olga Orga")
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        for _ in range(2):
            answer = await client.post(f"/api/staff/accounts/{account_id}/invite", headers={"X-CSRF-Token": csrf})
            assert answer.status_code == 200, answer.text
        unknown = await client.post(f"/api/staff/accounts/{uuid4()}/invite", headers={"X-CSRF-Token": csrf})
        assert unknown.status_code == 404
        inactive = await add_account(staff, "weg@example.org", None)
        await staff.fetch("UPDATE staff_account SET active = false WHERE id = $1", inactive)
        refused = await client.post(f"/api/staff/accounts/{inactive}/invite", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 409 and "deactivated" in refused.json()["detail"]
    first, second = await mailbox.wait_for(2)
    async with httpx.AsyncClient(timeout=10) as browser:
        assert (await browser.get(link_in(first.text, "/invitation"))).status_code == 410
        link = link_in(second.text, "/invitation")
        short = await set_password(browser, link, "kurz")
        assert short.status_code == 422 and "Das Passwort ist zu kurz: mindestens 12 Zeichen." in short.text
        mismatch = await set_password(browser, link, NEW_PASSWORD, "etwas ganz anderes")
        assert mismatch.status_code == 422 and "Die beiden Passwörter stimmen nicht überein." in mismatch.text
        page = await browser.get(link)
        forged = await browser.post(form_action(link), data=form_of(page, NEW_PASSWORD) | {"csrf_token": "falsch"})
        assert forged.status_code == 403
        assert (await set_password(browser, link, NEW_PASSWORD)).status_code == 200


async def test_only_admins_invite_and_an_smtp_server_that_does_not_take_it_gets_502(start_staff) -> None:
    staff = await start_staff(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout_seconds=2)
    await add_account(staff, ADMIN, PASSWORD, [Membership(role=Role.admin)])
    organiser = await add_account(staff, "orga@example.org", PASSWORD,
                                  [Membership(role=Role.organiser, organisation_id=ORGANISATION)])
    assert (await staff.client.post(f"/api/staff/accounts/{organiser}/invite")).status_code == 401
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
        answer = await client.post(f"/api/staff/accounts/{organiser}/invite", headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 403
    async with signed_in_client(staff, ADMIN, PASSWORD) as (client, csrf):
        answer = await client.post(f"/api/staff/accounts/{organiser}/invite", headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 502 and "did not take the invitation" in answer.json()["detail"]
    assert not await staff.fetch("SELECT 1 FROM one_time_link")
    assert "invitation_sent" not in [action for _, action, _ in await audit(staff)]
