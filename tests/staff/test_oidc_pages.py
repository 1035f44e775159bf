"""The OpenID Connect sign-in in Chromium against the real provider: the sign-in page's provider link (0 axe
violations, reached and followed by keyboard), the provider's form, back signed in; a refusal's page (0 axe
violations, German and English, its way back by keyboard)."""

from playwright.async_api import Page

from ..browser.harness import assert_accessible
from ..oidc_provider import USERS, OpenIDProvider
from .conftest import add_account
from .oidc_fixtures import PROVIDER_NAME


async def _tab_to(page: Page, text: str, limit: int = 30) -> None:
    """Press Tab until the focused element reads `text`; each one passed on the way shows where the focus is."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("""() => { const el = document.activeElement, style = getComputedStyle(el);
            return {text: el.textContent.trim(), outline: style.outlineStyle}; }""")
        assert focused["outline"] != "none" or focused["text"] == "", f"no visible focus on {focused}"
        if focused["text"] == text:
            return
    raise AssertionError(f"Tab never reached {text!r} on {page.url}")


async def _provider_login(page: Page, login: str) -> None:
    await page.wait_for_url("**/interaction/**")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", USERS[login]["password"])
    await page.click("button[type=submit]")


async def test_signing_in_through_the_provider_by_keyboard(start_oidc_staff, provider: OpenIDProvider,
                                                           page: Page) -> None:
    staff = await start_oidc_staff(provider.issuer)
    await add_account(staff, USERS["erika"]["claims"]["email"], None, name="Erika Beispiel")
    await page.goto(f"{staff.settings.base_url}/sign-in")
    await assert_accessible(page)
    await _tab_to(page, f"Mit {PROVIDER_NAME} anmelden")
    await page.keyboard.press("Enter")
    await _provider_login(page, "erika")
    await page.wait_for_url(f"{staff.settings.base_url}/")
    assert "Erika Beispiel" in await page.locator("main").inner_text()
    await assert_accessible(page)


async def test_a_refused_sign_in_tells_why_in_german_and_english(start_oidc_staff, provider: OpenIDProvider,
                                                                 page: Page) -> None:
    staff = await start_oidc_staff(provider.issuer)  # no account for the address: refused
    expected = {"de": ("Mit diesem Zugang gibt es kein aktives Konto", "Zur Anmeldung"),
                "en": ("There is no active Treffpunkt account", "To the sign-in")}
    for lang, (message, back) in expected.items():
        await page.goto(f"{staff.settings.base_url}/sign-in?lang={lang}")
        link = f"Mit {PROVIDER_NAME} anmelden" if lang == "de" else f"Sign in with {PROVIDER_NAME}"
        await page.get_by_role("link", name=link).click()
        if lang == "de":  # signed in at the provider after the first round: it sends the browser back at once
            await _provider_login(page, "unbekannt")
        await page.wait_for_url("**/sign-in/oidc/callback**")
        assert message in await page.locator("main").inner_text()
        assert await page.locator("html").get_attribute("lang") == lang
        await assert_accessible(page)
        await _tab_to(page, back)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/sign-in?lang={lang}")
