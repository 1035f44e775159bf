"""The staff app's frame and dashboard in Chromium: sign-in leads to the dashboard, which shows the events the
account may see with each session's fill level in words and as a bar, current within seconds (htmx reloads the
figures); the navigation fits the roles; German and English; axe finds nothing at 1280x800 and at a phone's
width; keyboard alone reaches the content. Also: the served htmx is the pinned one, and no text key is in two
areas."""

import hashlib
import re
from pathlib import Path

from playwright.async_api import Page, expect

import staff
from staff.app_texts import AREAS

from .browsing import PHONE, sign_in, visit
from .conftest import StaffApp

PINNED_HTMX = "e209dda5c8235479f3166defc7750e1dbcd5a5c1808b7792fc2e6733768fb447"


def test_the_served_htmx_is_the_pinned_release() -> None:
    served = Path(staff.__file__).parent / "static" / "htmx.min.js"
    assert hashlib.sha256(served.read_bytes()).hexdigest() == PINNED_HTMX
    assert PINNED_HTMX in (served.parent / "VENDORED.md").read_text()


def test_each_area_says_the_same_things_in_german_and_english_and_owns_its_keys() -> None:
    seen: dict[str, int] = {}
    for number, area in enumerate(AREAS):
        assert set(area["de"]) == set(area["en"]), f"area {number}: {set(area['de']) ^ set(area['en'])}"
        for key in area["de"]:
            assert key not in seen, f"{key!r} is in areas {seen[key]} and {number}"
            seen[key] = number


async def test_an_organiser_sees_her_events_fill_levels_live_and_not_another_organisations(
        staff_app: StaffApp, page: Page) -> None:
    mine = await staff_app.event("A", [(2, 1), (5, 0)], title="Fachkräftetag Musterstadt")
    theirs = await staff_app.event("B", [(3, 0)], title="Meistertreffen Beispielland", contact=None)
    await staff_app.register(mine, mine["sessions"][0], email="erste@example.org")

    await page.goto(f"{staff_app.url}/")  # not signed in: the sign-in page
    assert "/sign-in" in page.url
    await sign_in(page, staff_app, "organiser_A")
    await visit(page, staff_app, "/")
    main = page.locator("main")
    await expect(main.get_by_role("heading", name="Fachkräftetag Musterstadt")).to_be_visible()
    await expect(main).not_to_contain_text(theirs["title"])
    first = main.get_by_role("row", name=re.compile("Forum 1"))
    await expect(first).to_contain_text("1 von 2 Plätzen belegt")
    await expect(first).to_contain_text("0 von 1 auf der Warteliste")
    await expect(main).to_contain_text("Anmeldungen in den letzten 24 Stunden: 1")
    await expect(main).to_contain_text("Veranstalter für Wirtschaftsförderung Musterstadt")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    await expect(nav.get_by_role("link", name="Übersicht")).to_have_attribute("aria-current", "page")
    await expect(nav.get_by_role("link", name="Zugänge")).to_have_count(0)  # admins only

    # Live: two more registrations show up without a reload (htmx reloads the figures every few seconds).
    await staff_app.register(mine, mine["sessions"][0], email="zweite@example.org")
    await staff_app.register(mine, mine["sessions"][0], email="dritte@example.org")
    await expect(first).to_contain_text("2 von 2 Plätzen belegt (ausgebucht)", timeout=25_000)
    await expect(first).to_contain_text("1 von 1 auf der Warteliste")
    await expect(main).to_contain_text("Anmeldungen in den letzten 24 Stunden: 3")

    # Keyboard: the first Tab reaches the skip link, Enter moves to the content.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main#content")).to_be_focused()

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    await expect(main).to_contain_text("of 2 seats taken")
    await page.set_viewport_size(PHONE)
    await visit(page, staff_app, "/?lang=en")


async def test_an_admin_sees_every_event_and_the_admin_navigation(staff_app: StaffApp, page: Page) -> None:
    await staff_app.event("B", [(4, 2)], title="Kammerabend Beispielland", contact=None)
    await sign_in(page, staff_app, "admin")
    await visit(page, staff_app, "/")
    await expect(page.locator("main").get_by_role("heading", name="Kammerabend Beispielland")).to_be_visible()
    await expect(page.get_by_role("link", name="Zugänge")).to_be_visible()


async def test_a_form_without_the_session_token_is_refused_with_a_page(staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "organiser_B")
    answer = await page.request.post(f"{staff_app.url}/sign-out", form={"lang": "de"})
    assert answer.status == 403 and "nicht mehr gültig" in await answer.text()
