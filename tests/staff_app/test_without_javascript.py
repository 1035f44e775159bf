"""The staff app without JavaScript (htmx only enhances): in a Chromium context with scripts switched off, an
organiser signs in, reads the dashboard's figures, filters the participants by the GET form, cancels a
registration through its confirmation step and sends a message through its preview; every step is a plain
form or link. (axe needs scripts in the page, so these pages are checked by the other tests.)"""

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from ..waiting import wait_until
from .conftest import PASSWORD, StaffApp


@pytest.fixture
async def no_script(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="de-DE", java_script_enabled=False, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield await context.new_page()
    await context.close()


async def test_an_organiser_does_her_work_without_javascript(staff_app: StaffApp, no_script: Page) -> None:
    page = no_script
    event = await staff_app.event("A", [(1, 1)], title="Ohne Skript Musterstadt")
    [session] = event["sessions"]
    first = await staff_app.register(event, session, email="erste.noscript@example.org", last_name="Erste")
    await staff_app.register(event, session, email="zweite.noscript@example.org", last_name="Zweite")

    await page.goto(f"{staff_app.url}/sign-in")
    await page.get_by_label("E-Mail").fill(staff_app.emails["organiser_A"])
    await page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(f"{staff_app.url}/")
    main = page.locator("main")
    await expect(main.get_by_role("row", name=re.compile("Forum 1"))).to_contain_text("1 von 1 Plätzen belegt")

    await page.goto(f"{staff_app.url}/events/{event['id']}/participants")
    await page.get_by_label(re.compile("^Suche")).fill("Zweite")
    await page.get_by_role("button", name="Anwenden").click()
    await expect(main.get_by_role("table", name=re.compile("Anmeldungen: 1"))).to_contain_text("Zweite")
    assert "q=Zweite" in page.url

    await page.goto(f"{staff_app.url}/registrations/{first['id']}/cancel")
    await page.get_by_role("button", name="Ja, stornieren").click()
    await expect(main).to_contain_text("Storniert – durch das Veranstaltungsteam")

    async def moved_up() -> bool:
        rows = await staff_app.services["registration"].fetch(
            "SELECT status FROM registration WHERE email = 'zweite.noscript@example.org'")
        return rows[0]["status"] == "confirmed"
    await wait_until(moved_up, what="the second person moving up")

    await page.goto(f"{staff_app.url}/events/{event['id']}/messages")
    await page.get_by_label("Betreff").fill("Ohne Skript")
    await page.get_by_role("textbox", name=re.compile("^Nachricht")).fill("Auch ohne JavaScript.")
    await page.get_by_role("button", name="Vorschau").click()
    await expect(main).to_contain_text("Vorschau der Nachricht")
    await page.get_by_role("button", name="Ändern").click()  # the form again, as written (formaction, no script)
    await expect(page.get_by_label("Betreff")).to_have_value("Ohne Skript")
    await page.get_by_role("button", name="Vorschau").click()
    await page.get_by_role("button", name="Senden").click()
    await expect(page.get_by_role("status")).to_contain_text("Die Nachricht ist unterwegs")
    arrived = await staff_app.mailbox.wait_for(
        1, timeout=30, predicate=lambda m: m.subject == "[Ohne Skript Musterstadt] Ohne Skript")
    assert [m.rcpt_tos for m in arrived] == [("zweite.noscript@example.org",)]  # moved up, the only one confirmed
