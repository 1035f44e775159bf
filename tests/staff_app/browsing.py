"""Steps of the staff app's browser tests: signing in as one of the world's accounts, visiting a page with
axe's check (`tests.browser.harness.assert_accessible` for a page's state after an action)."""

from playwright.async_api import Page

from ..browser.harness import assert_accessible
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
    """Open a staff app page (its answer's status as expected) and check it with axe: 0 violations."""
    response = await page.goto(app.url + path)
    assert response is not None and response.status == status, f"{path}: {response and response.status}"
    await assert_accessible(page)
