"""Password reset: the same answer for any address, an email with a one-time link only for an account's,
valid for an hour; using it sets the new password and ends the account's sessions. Limited per address
(no more emails) and per client (429)."""

import httpx
import pytest

from ..services import RunningService
from .conftest import MovableClock, add_account, hidden_field, link_in, sign_in, signed_in_client
from .test_invitations import audit, form_action, form_of, set_password

PASSWORD = "richtig-langes-passwort"
NEW_PASSWORD = "mein neues Passwort 2027"
SENT_DE = "Falls es ein Konto mit dieser Adresse gibt, ist eine E-Mail mit einem Link unterwegs."


async def ask_for_reset(client: httpx.AsyncClient, email: str, *, lang: str = "de") -> httpx.Response:
    form = await client.get("/password-reset", params={"lang": lang})
    assert form.status_code == 200
    return await client.post("/password-reset", data={"email": email, "lang": lang,
                                                      "csrf_token": hidden_field(form.text, "csrf_token")})


@pytest.fixture
async def staff(start_staff_with_mail) -> RunningService:
    return await start_staff_with_mail()


async def test_the_answer_is_the_same_for_any_address_and_only_the_account_gets_an_email(
        staff: RunningService, mailbox) -> None:
    await add_account(staff, "olga@example.org", PASSWORD, name="Olga Orga")
    known = await ask_for_reset(staff.client, "Olga@Example.org")
    unknown = await ask_for_reset(staff.client, "niemand@example.org")
    for answer in (known, unknown):
        assert answer.status_code == 200 and SENT_DE in answer.text
    assert known.text == unknown.text
    [email] = await mailbox.wait_for(1)
    assert email.rcpt_tos == ("olga@example.org",) and email.subject == "Treffpunkt: Passwort zurücksetzen"
    english = await ask_for_reset(staff.client, "niemand@example.org", lang="en")
    assert "If there is an account with this address, an email with a link is on its way." in english.text
    assert len(mailbox.messages) == 1


async def test_the_link_sets_a_new_password_once_and_ends_the_other_sessions(staff: RunningService, mailbox) -> None:
    account_id = str(await add_account(staff, "olga@example.org", PASSWORD, name="Olga Orga"))
    async with signed_in_client(staff, "olga@example.org", PASSWORD) as (elsewhere, _):
        await ask_for_reset(staff.client, "olga@example.org")
        [email] = await mailbox.wait_for(1)
        link = link_in(email.text, "/password-reset/new")
        async with httpx.AsyncClient(timeout=10) as browser:
            answer = await set_password(browser, link, NEW_PASSWORD)
            assert answer.status_code == 200 and "Ihr Passwort ist gespeichert" in answer.text
            assert (await browser.get(link)).status_code == 410
        signed_out = await elsewhere.get("/")
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/sign-in"
    assert (await sign_in(staff.client, "olga@example.org", PASSWORD)).status_code == 401
    assert (await sign_in(staff.client, "olga@example.org", NEW_PASSWORD)).status_code == 303
    assert (account_id, "password_reset", account_id) in await audit(staff)


async def test_the_link_expires_after_an_hour(staff: RunningService, mailbox, clock: MovableClock) -> None:
    await add_account(staff, "olga@example.org", PASSWORD, name="Olga Orga")
    await ask_for_reset(staff.client, "olga@example.org")
    [email] = await mailbox.wait_for(1)
    link = link_in(email.text, "/password-reset/new")
    async with httpx.AsyncClient(timeout=10) as browser:
        page = await browser.get(link)
        assert page.status_code == 200
        clock.advance(hours=1)
        expired = await browser.post(form_action(link), data=form_of(page, NEW_PASSWORD))
        assert expired.status_code == 410
        assert "Neuen Link anfordern" in expired.text
    assert (await sign_in(staff.client, "olga@example.org", PASSWORD)).status_code == 303


async def test_resets_are_limited_per_address_and_per_client(start_staff_with_mail, mailbox) -> None:
    staff = await start_staff_with_mail(password_resets_per_address=1, password_resets_per_client=3)
    await add_account(staff, "olga@example.org", PASSWORD, name="Olga Orga")
    for _ in range(3):
        answer = await ask_for_reset(staff.client, "olga@example.org")
        assert answer.status_code == 200 and SENT_DE in answer.text
    limited = await ask_for_reset(staff.client, "olga@example.org")
    assert limited.status_code == 429 and "Zu viele Anfragen" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    await mailbox.wait_for(1)
    assert len(mailbox.messages) == 1  # the address's allowance: one email per window


async def test_a_form_without_its_csrf_token_or_address_is_refused(staff: RunningService) -> None:
    forged = await staff.client.post("/password-reset", data={"email": "olga@example.org"})
    assert forged.status_code == 403 and "Das Formular war nicht mehr gültig" in forged.text
    empty = await ask_for_reset(staff.client, " ")
    assert empty.status_code == 422 and "Bitte geben Sie Ihre E-Mail-Adresse ein." in empty.text
