"""The staff pages in Chromium: 0 axe violations (WCAG 2.1 A/AA) in every state, German and English, and a
sign-in, a look at the landing page and a sign-out by keyboard alone."""

from uuid import UUID

from playwright.async_api import Page

from treffpunkt_shared.contracts.staff import Membership, Role

from ..browser.site import check_any_page
from ..services import RunningService
from .conftest import add_account

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
PASSWORD = "richtig-langes-passwort"


async def _focused(page: Page) -> dict:
    return await page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName.toLowerCase(), text: el.textContent.trim(), outline: style.outlineStyle};
    }""")


async def _tab_to(page: Page, matches, limit: int = 20) -> dict:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await _focused(page)
        assert focused["tag"] == "body" or focused["outline"] != "none", f"no visible focus on {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached the element on {page.url}")


async def test_sign_in_landing_page_and_sign_out_by_keyboard_and_accessible(start_staff, page: Page) -> None:
    staff: RunningService = await start_staff(sign_in_failures_per_account=2)
    await add_account(staff, "orga@example.org", PASSWORD, [Membership(role=Role.organiser, organisation_id=ORGANISATION),
                                                           Membership(role=Role.admin)], name="Olga Orga")
    base = staff.settings.issuer  # http://localhost:<port>, as in make dev

    await page.goto(f"{base}/sign-in?lang=en")
    await check_any_page(page)
    assert await page.locator("h1").text_content() == "Staff sign-in"
    await page.goto(f"{base}/")  # not signed in: to the sign-in page, in German
    assert page.url == f"{base}/sign-in"
    await check_any_page(page)

    # A wrong password: the error is announced and the fields say they are wrong.
    await page.fill("#email", "orga@example.org")
    await page.fill("#password", "falsch")
    await page.press("#password", "Enter")
    await page.wait_for_load_state()
    assert "E-Mail-Adresse oder Passwort sind nicht richtig." in await page.locator("[role=alert]").text_content()
    assert await page.locator("#email").get_attribute("aria-invalid") == "true"
    await check_any_page(page)

    # By keyboard: the skip link, the language switch, the address (kept), the password, Enter.
    await _tab_to(page, lambda f: f["id"] == "password")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/")
    assert "Olga Orga" in await page.locator("main").text_content()
    assert f"Veranstalter der Organisation {ORGANISATION}" in await page.locator("main").text_content()
    await check_any_page(page)
    await page.goto(f"{base}/?lang=en")
    await check_any_page(page)

    assert (await _tab_to(page, lambda f: f["tag"] == "button"))["text"] == "Sign out"
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base}/sign-in?lang=en&signed_out=true")
    assert await page.locator("[role=status]").text_content() == "You are signed out."
    await check_any_page(page)

    # Too many failures: the refusal says when to try again, and the page stays accessible.
    for _ in range(3):
        await page.fill("#email", "orga@example.org")
        await page.fill("#password", "falsch")
        await page.press("#password", "Enter")
        await page.wait_for_load_state()
    assert "Too many failed sign-ins" in await page.locator("[role=alert]").text_content()
    await check_any_page(page)
