"""Messages to participants in Chromium: the list and the form, errors next to their fields in the user's
language, the preview (how many it goes to, how it reads) with "Change" and "Send", sent by keyboard alone,
then the list with a status message; the mailbox holds one email per recipient and none for the others. axe
checks each state (form, form with errors, preview, sent); another organisation's organiser gets a refusal."""

import re

from playwright.async_api import Page, expect

from ..browser.site import check_any_page
from .browsing import sign_in, visit
from .conftest import StaffApp

SUBJECT = "Raumänderung"
BODY = ("Wir treffen uns in Raum 2.14.", "Bitte bringen Sie Ihre Unterlagen mit.")


async def _tab_to(page: Page, element_id: str, most: int = 80) -> None:
    """Press Tab until the element with `element_id` has the focus, as a keyboard user moves through a page."""
    for _ in range(most):
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


async def _tab_to_button(page: Page, name: str, most: int = 80) -> None:
    for _ in range(most):
        if await page.evaluate("document.activeElement && document.activeElement.tagName === 'BUTTON' "
                               "&& document.activeElement.textContent.trim()") == name:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached the button {name!r}")


async def test_an_organiser_previews_changes_and_sends_a_message_to_a_sessions_confirmed_participants(
        staff_app: StaffApp, page: Page) -> None:
    event = await staff_app.event("A", [(2, 1), (5, 0)], title="Werkstattgespräch Musterstadt")
    first, second = event["sessions"]
    seated = ["ada@example.org", "ben@example.org"]
    for address in [*seated, "cem@example.org"]:
        await staff_app.register(event, first, email=address)
    await staff_app.register(event, second, email="dora@example.org")
    path = f"/events/{event['id']}/messages"

    await sign_in(page, staff_app, "organiser_A")
    await visit(page, staff_app, path)  # the form, nothing sent yet
    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nachrichten an Teilnehmende: Werkstattgespräch Musterstadt")
    await expect(main).to_contain_text("noch keine Nachrichten gesendet")
    await expect(page.get_by_label("Teilnehmende mit Platz")).to_be_checked()

    # Errors next to the fields, in German, then in English.
    await page.get_by_label("Betreff").fill("   ")
    await page.get_by_role("button", name="Vorschau").click()
    await expect(page.locator("#subject-error")).to_have_text("Bitte füllen Sie dieses Feld aus.")
    await expect(page.locator("#body-error")).to_have_text("Bitte füllen Sie dieses Feld aus.")
    await expect(page.get_by_label("Betreff")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("alert")).to_contain_text("Nachricht")
    await check_any_page(page)
    await visit(page, staff_app, f"{path}?lang=en")
    await page.get_by_label("Subject").fill("x" * 201)
    await page.get_by_role("textbox", name=re.compile("^Message")).fill("Hello")
    await page.get_by_role("button", name="Preview").click()
    await expect(page.locator("#subject-error")).to_have_text("The subject may be at most 200 characters long.")
    await expect(page.get_by_role("textbox", name=re.compile("^Message"))).to_have_value("Hello")  # what was written stays
    await check_any_page(page)

    # A draft to the whole event, previewed, then changed to the first session's confirmed participants.
    await visit(page, staff_app, path)
    await page.get_by_label("Betreff").fill("Entwurf")
    await page.get_by_role("textbox", name=re.compile("^Nachricht")).fill("Erster Entwurf")
    await page.get_by_label("Alle (mit Platz und auf der Warteliste)").check()
    await page.get_by_role("button", name="Vorschau").click()
    await expect(main).to_contain_text("geht an 4 Teilnehmende")
    await page.get_by_role("button", name="Ändern").click()
    await expect(page.get_by_label("Betreff")).to_have_value("Entwurf")
    await expect(page.get_by_label("Alle (mit Platz und auf der Warteliste)")).to_be_checked()
    await check_any_page(page)

    # Keyboard alone from here: audience (Tab reaches the chosen one, arrows choose another), session, subject,
    # text, preview, send.
    await _tab_to(page, "audience-3")
    await page.keyboard.press("ArrowUp")
    await page.keyboard.press("ArrowUp")
    await expect(page.get_by_label("Teilnehmende mit Platz")).to_be_checked()
    await _tab_to(page, "session_id")
    await page.keyboard.press("ArrowDown")
    await expect(page.get_by_label("Sitzung")).to_have_value(first["id"])
    await _tab_to(page, "subject")
    await page.keyboard.press("Control+A")
    await page.keyboard.type(SUBJECT)
    await _tab_to(page, "body")
    await page.keyboard.press("Control+A")
    await page.keyboard.type(BODY[0])
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")
    await page.keyboard.type(BODY[1])
    await _tab_to_button(page, "Vorschau")
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", level=1)).to_have_text("Vorschau der Nachricht")
    await expect(main).to_contain_text("geht an 2 Teilnehmende")
    await expect(main).to_contain_text("Teilnehmende mit Platz, Sitzung „Forum 1“")
    await expect(main).to_contain_text(f"[Werkstattgespräch Musterstadt] {SUBJECT}")
    await expect(main.locator(".message-text")).to_have_text(f"{BODY[0]}\n\n{BODY[1]}")
    await check_any_page(page)  # the preview
    assert not [m for m in staff_app.mailbox.messages if m.subject.endswith(SUBJECT)]  # nothing sent yet
    await _tab_to_button(page, "Senden")
    await page.keyboard.press("Enter")

    await page.wait_for_url(re.compile(re.escape(path) + r"\?notice=message_sent"))
    await expect(page.get_by_role("status")).to_contain_text("Die Nachricht ist unterwegs")
    row = main.get_by_role("row", name=re.compile(SUBJECT))
    await expect(row).to_contain_text("Teilnehmende mit Platz, Sitzung „Forum 1“")
    await expect(row).to_contain_text("2")
    await expect(row).to_contain_text("Olga Organisatorin")
    await check_any_page(page)  # sent

    def ours(m) -> bool:
        return m.subject == f"[Werkstattgespräch Musterstadt] {SUBJECT}"

    arrived = await staff_app.mailbox.wait_for(2, timeout=30, predicate=ours)
    assert sorted(a for m in arrived for a in m.rcpt_tos) == seated
    assert all(BODY[0] in m.text and BODY[1] in m.text for m in arrived)
    assert len([m for m in staff_app.mailbox.messages if ours(m)]) == 2
    assert not [m for m in staff_app.mailbox.messages if "Entwurf" in m.subject]


async def test_another_organisations_organiser_cannot_reach_the_messages(staff_app: StaffApp, page: Page) -> None:
    event = await staff_app.event("A", [(5, 0)], title="Nur für A")
    await sign_in(page, staff_app, "organiser_B")
    await visit(page, staff_app, f"/events/{event['id']}/messages", status=403)
    await expect(page.locator("main")).to_contain_text("keine Berechtigung")
    await expect(page.locator("main")).not_to_contain_text("Nur für A")
