"""Steps of the staff app's browser tests: signing in as one of the world's accounts, visiting a page with
the checks every page of the system gets (`tests.browser.site.check_any_page`: axe WCAG 2.1 A/AA, `lang`, no
inline style or script, reflow at 200% zoom), which also check a page's state after an action."""

from playwright.async_api import Page

from ..browser.site import check_any_page
from .conftest import PASSWORD, StaffApp

PHONE = {"width": 375, "height": 740}


async def sign_in(page: Page, app: StaffApp, who: str) -> None:
    """Through the sign-in form, as a person does; ends on the dashboard."""
    await page.goto(f"{app.url}/sign-in")
    await page.get_by_label("E-Mail").fill(app.emails[who])
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(f"{app.url}/")


async def visit(page: Page, app: StaffApp, path: str, *, status: int = 200) -> None:
    """Open a staff app page (its answer's status as expected) and check it as every page is checked."""
    response = await page.goto(app.url + path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    await check_any_page(page)
