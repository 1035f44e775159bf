"""The pages of invitations, password resets and the second factor in Chromium: 0 axe violations (WCAG 2.1
A/AA) in each state, German and English, and each form filled in and sent by keyboard alone."""

import re

import pyotp
from playwright.async_api import Page

from treffpunkt_shared.contracts.staff import Membership, Role

from ..browser.site import check_any_page
from ..services import RunningService
from .conftest import MovableClock, add_account, link_in, signed_in_client
from .test_pages import _tab_to

PASSWORD = "richtig-langes-passwort"
NEW_PASSWORD = "mein neues Passwort 2027"


async def _type_into(page: Page, field_id: str, text: str) -> None:
    await _tab_to(page, lambda f: f["id"] == field_id)
    await page.keyboard.type(text)


async def _send(page: Page) -> None:
    """Enter on the focused field, button or link, and the page it leads to."""
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_invitation_and_reset_pages_by_keyboard_and_accessible(start_staff_with_mail, mailbox,
                                                                     page: Page) -> None:
    staff: RunningService = await start_staff_with_mail()
    base = staff.settings.issuer
    await add_account(staff, "admin@example.org", PASSWORD, [Membership(role=Role.admin)], name="Anna Admin")
    olga = await add_account(staff, "olga@example.org", None, name="Olga Orga")
    async with signed_in_client(staff, "admin@example.org", PASSWORD) as (client, csrf):
        invited = await client.post(f"/api/staff/accounts/{olga}/invite", headers={"X-CSRF-Token": csrf})
        assert invited.status_code == 200, invited.text
    [email] = await mailbox.wait_for(1)
    link = link_in(email.text, "/invitation")

    await page.goto(link)
    await check_any_page(page)
    await _type_into(page, "password", "kurz")
    await _type_into(page, "password_repeat", "kurz")
    await _send(page)
    assert "Das Passwort ist zu kurz" in await page.locator("[role=alert]").text_content()
    assert await page.locator("#password").get_attribute("aria-invalid") == "true"
    await check_any_page(page)
    await _type_into(page, "password", NEW_PASSWORD)
    await _type_into(page, "password_repeat", NEW_PASSWORD)
    await _send(page)
    assert "Ihr Passwort ist gespeichert" in await page.locator("[role=status]").text_content()
    await check_any_page(page)
    await page.goto(link.replace("lang=de", "lang=en"))  # used: the invalid link's page
    assert await page.locator("h1").text_content() == "Link not valid"
    await check_any_page(page)

    # From the sign-in page to the reset, by keyboard.
    await page.goto(f"{base}/sign-in")
    link_text = (await _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Passwort vergessen?"))["text"]
    assert link_text == "Passwort vergessen?"
    await _send(page)
    assert page.url == f"{base}/password-reset?lang=de"
    await check_any_page(page)
    await _tab_to(page, lambda f: f["tag"] == "button")  # nothing entered yet
    await _send(page)
    assert "Bitte geben Sie Ihre E-Mail-Adresse ein." in await page.locator("[role=alert]").text_content()
    await check_any_page(page)
    await _type_into(page, "email", "olga@example.org")
    await _send(page)
    assert "Falls es ein Konto mit dieser Adresse gibt" in await page.locator("[role=status]").text_content()
    await check_any_page(page)
    [_, reset] = await mailbox.wait_for(2)
    await page.goto(link_in(reset.text, "/password-reset/new").replace("lang=de", "lang=en"))
    assert await page.locator("h1").text_content() == "Set your password"
    await check_any_page(page)
    await page.goto(f"{base}/password-reset?lang=en")
    await check_any_page(page)


async def test_totp_pages_by_keyboard_and_accessible(start_staff, page: Page, clock: MovableClock) -> None:
    staff: RunningService = await start_staff(require_totp_for_admins=True)
    base = staff.settings.issuer
    await add_account(staff, "admin@example.org", PASSWORD, [Membership(role=Role.admin)], name="Anna Admin")

    await page.goto(f"{base}/sign-in")
    await page.fill("#email", "admin@example.org")
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(f"{base}/account/totp?lang=de")  # an admin must set it up first
    assert "vorgeschrieben" in await page.locator("[role=status]").text_content()
    assert await page.locator("img.qr").get_attribute("alt") == "QR-Code zum Einrichten in der Authenticator-App"
    assert await page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth") > 0  # shown, CSP and all
    await check_any_page(page)
    assert await page.locator("form[action='/sign-out'] button").text_content() == "Abmelden"  # the one way out
    secret = re.sub(r"\s", "", await page.locator("code.secret").text_content())
    totp = pyotp.TOTP(secret)
    await _type_into(page, "code", "12345")
    await _send(page)
    assert "Der Code stimmt nicht" in await page.locator("[role=alert]").text_content()
    await check_any_page(page)
    await _type_into(page, "code", totp.at(clock.now()))
    await _send(page)
    assert "Der zweite Faktor ist eingerichtet" in await page.locator("main").text_content()
    await check_any_page(page)
    await page.goto(f"{base}/account/totp?lang=en")
    await check_any_page(page)
    assert await page.locator("a[href='/?lang=en']").count() == 1  # set up: the way back to the start page

    # Signing in again: the code's page after the password.
    await page.goto(f"{base}/")
    await _tab_to(page, lambda f: f["tag"] == "button")
    await _send(page)
    await page.fill("#email", "admin@example.org")
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await page.wait_for_url(f"{base}/sign-in/totp?lang=de")
    await check_any_page(page)
    clock.advance(seconds=30)
    await page.keyboard.type("000000" if totp.at(clock.now()) != "000000" else "111111")  # autofocus: the code
    await _send(page)
    assert "Der Code stimmt nicht" in await page.locator("[role=alert]").text_content()
    await check_any_page(page)
    await _type_into(page, "code", totp.at(clock.now()))
    await _send(page)
    assert page.url == f"{base}/"
    assert "Anna Admin" in await page.locator("main").text_content()
    await page.goto(f"{base}/sign-in/totp?lang=en")  # signed in: no pending sign-in, back to the sign-in page
    assert page.url.startswith(f"{base}/")
