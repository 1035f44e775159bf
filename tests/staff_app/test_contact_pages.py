"""The contact persons' pages in Chromium: their sessions (only those naming them, with the seats and a link to
the participants) and their notice preference, chosen by keyboard alone and stored by the notification
service (read back through its API). Before any session names her, both pages say so. Every state with axe
at 1280x800, German and English."""

import re

from playwright.async_api import Page, expect

from ..browser.site import check_any_page
from ..browser.test_public_pages import _tab_to
from ..waiting import wait_until
from .browsing import PHONE, sign_in, visit
from .conftest import StaffApp


async def test_a_contact_person_sees_her_sessions_and_sets_her_preference_by_keyboard(
        staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "contact_A")
    main = page.locator("main")
    await visit(page, staff_app, "/my-sessions")
    await expect(main).to_contain_text("Sie sind bei keiner Sitzung als Ansprechperson genannt.")
    await visit(page, staff_app, "/preference")
    await expect(main).to_contain_text("Noch keine Sitzung nennt Sie als Ansprechperson.")
    await expect(main.get_by_role("button", name="Speichern")).to_have_count(0)

    event = await staff_app.event("A", [(3, 1), (5, 0)], title="Ausbildungsbörse Musterstadt")
    other = await staff_app.event("A", [(9, 0)], title="Empfang ohne Ansprechperson", contact=None)
    await staff_app.register(event, event["sessions"][0], email="kontakt.teilnehmer@example.org")
    notification = staff_app.services["notification"].client
    preference = f"/api/contact-persons/{staff_app.ids['contact_A']}/preference"

    async def known_to_notification() -> bool:
        return (await notification.get(preference, headers=staff_app.builder["notification"])).status_code == 200
    await wait_until(known_to_notification, timeout=30, what="notification's copy of the sessions naming her")

    await visit(page, staff_app, "/my-sessions")
    await expect(main).not_to_contain_text(other["title"])
    first = main.get_by_role("row", name=re.compile("Forum 1"))
    await expect(first).to_contain_text("1 von 3 Plätzen belegt")
    await expect(first.get_by_role("link", name="Teilnehmende von Forum 1")).to_have_attribute(
        "href", f"/events/{event['id']}/participants?session_id={event['sessions'][0]['id']}")
    await expect(main.get_by_role("row", name=re.compile("Forum 2"))).to_contain_text("0 von 5 Plätzen belegt")
    await page.set_viewport_size(PHONE)
    await visit(page, staff_app, "/my-sessions?lang=en")
    await expect(first).to_contain_text("1 of 3 seats taken")
    await page.set_viewport_size({"width": 1280, "height": 800})

    # The preference, by keyboard alone: into the radio group, the arrow to "daily", English notices, save.
    await visit(page, staff_app, "/preference")
    await expect(main).to_contain_text("Noch nicht gewählt: Es gilt die Voreinstellung.")
    await _tab_to(page, lambda focused: focused["tag"] == "input" and focused["id"].startswith("mode-"))
    await page.keyboard.press("ArrowDown")
    await expect(page.get_by_label("Täglich")).to_be_checked()
    await _tab_to(page, lambda focused: focused["id"] == "language")
    await page.keyboard.press("ArrowDown")  # Englisch
    await _tab_to(page, lambda focused: focused["tag"] == "button" and focused["text"] == "Speichern")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text("Ihre Einstellung ist gespeichert.")
    await expect(page.get_by_label("Täglich")).to_be_checked()
    await expect(page.locator("#language")).to_have_value("en")
    await expect(main).to_contain_text("Zuletzt geändert am")
    await check_any_page(page)
    stored = (await notification.get(preference, headers=staff_app.builder["notification"])).json()
    [account] = await staff_app.staff.fetch("SELECT id::text FROM staff_account WHERE email = $1",
                                            staff_app.emails["contact_A"])
    assert (stored["mode"], stored["language"], stored["updated_by"]) == ("daily", "en", account["id"])
    await visit(page, staff_app, "/preference?lang=en")
    await expect(page.get_by_label("Daily")).to_be_checked()
