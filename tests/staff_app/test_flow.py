"""The staff app's whole flow in Chromium, end to end with the real services and nothing set up behind the
pages: an organiser signs in, creates an event with three sessions and publishes it; people register through
the hosted form (another origin: the registration service); the organiser finds the first in the participants
list, exports it as XLSX (the file opens with openpyxl and holds her), cancels her with a reason; the person on
the waiting list moves up, in the list and in the mailbox; a message to that session's participants arrives
once per participant and at nobody else; an organiser of another organisation reaches none of it. Every page
visited, the public ones too, passes the checks every page gets (axe WCAG 2.1 A/AA, `lang`, 200% reflow)."""

import io
import re

from openpyxl import load_workbook
from playwright.async_api import Browser, Page, expect

from ..browser.site import check_any_page
from ..waiting import wait_until
from .browsing import sign_in, visit
from .conftest import StaffApp

TITLE = "Unternehmerfrühstück Innenstadt"
SESSIONS = (("Forum Handel", "20", "5"), ("Forum Wohnen", "2", "2"), ("Forum Energie", "10", "0"))
HANNA = {"first_name": "Hanna", "last_name": "Hofmann", "email": "hanna.flow@example.org",
         "organisation": "Hofmann Bau GmbH"}
PAUL = {"first_name": "Paul", "last_name": "Peters", "email": "paul.flow@example.org", "organisation": "Peters KG"}
TOM = {"first_name": "Tom", "last_name": "Thal", "email": "tom.flow@example.org", "organisation": "Thal & Söhne"}
GRETA = {"first_name": "Greta", "last_name": "Gans", "email": "greta.flow@example.org", "organisation": "Gans AG"}


async def _create_and_publish(page: Page, staff_app: StaffApp) -> str:
    """Through the catalog pages, as an organiser does it; the event's id."""
    main = page.locator("main")
    await visit(page, staff_app, "/events")
    await page.get_by_role("link", name="Neue Veranstaltung").click()
    await page.wait_for_url(re.compile("/events/new$"))
    await check_any_page(page)
    await page.get_by_label("Titel").fill(TITLE)
    await page.get_by_label(re.compile("^Ort ")).fill("Rathaus, Bürgersaal")
    await page.get_by_label(re.compile("^Beginn")).fill("2027-03-10T08:00")
    await page.get_by_label(re.compile("^Ende")).fill("2027-03-10T11:00")
    await page.get_by_label("Anmeldeschluss").fill("2027-03-03T18:00")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist als Entwurf angelegt.")
    await check_any_page(page)
    event_id = page.url.split("?")[0].rsplit("/", 1)[1]
    for title, capacity, waitlist in SESSIONS:
        await main.get_by_role("link", name="Neue Sitzung").click()
        await page.wait_for_url(re.compile("/sessions/new"))
        await page.get_by_label("Titel").fill(title)
        await page.get_by_label(re.compile(r"^Plätze \(")).fill(capacity)
        await page.get_by_label("Plätze auf der Warteliste").fill(waitlist)
        await page.get_by_label("Clara Kontakt").check()
        await check_any_page(page)
        await page.get_by_role("button", name="Speichern").click()
        await expect(page.get_by_role("status")).to_have_text("Die Sitzung ist angelegt.")
    for title, capacity, _ in SESSIONS:
        await expect(main.get_by_role("row", name=re.compile(title))).to_contain_text(f"0 von {capacity} Plätzen belegt")
    await main.get_by_role("link", name="Veröffentlichen").click()
    await expect(main).to_contain_text("Das Anmeldeformular wird öffentlich")
    await check_any_page(page)
    await page.get_by_role("button", name="Jetzt veröffentlichen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist veröffentlicht.")
    await check_any_page(page)

    async def public() -> bool:
        rows = await staff_app.services["registration"].fetch(
            "SELECT status FROM catalog_event WHERE id = $1::uuid", event_id)
        return bool(rows) and rows[0]["status"] == "published"
    await wait_until(public, what="the registration service's copy of the published event")
    return event_id


async def _register_by_form(browser: Browser, staff_app: StaffApp, event_id: str, session: str, person: dict,
                            expected: str) -> None:
    """The hosted form in a browser of the registrant's own (no staff cookie), checked like every page."""
    context = await browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await page.goto(f"{staff_app.services['registration'].base_url}/events/{event_id}/register")
        await check_any_page(page)
        await expect(page.locator("main")).to_contain_text(TITLE)
        await page.locator("fieldset label", has_text=session).locator("input[type=radio]").check()
        for field, value in person.items():
            await page.fill(f"#{field}", value)
        await page.check("#consent")
        await page.get_by_role("button", name="Verbindlich anmelden").click()
        await expect(page.locator("main")).to_contain_text(expected, timeout=20_000)
        await check_any_page(page)
    finally:
        await context.close()


async def test_an_organiser_runs_an_event_from_creation_to_a_message_and_another_organisation_sees_none_of_it(
        staff_app: StaffApp, page: Page, browser: Browser) -> None:
    await sign_in(page, staff_app, "organiser_A")
    event_id = await _create_and_publish(page, staff_app)

    for person in (HANNA, PAUL):
        await _register_by_form(browser, staff_app, event_id, "Forum Wohnen", person, "Ihre Anmeldung ist bestätigt.")
    await _register_by_form(browser, staff_app, event_id, "Forum Wohnen", TOM, "Sie stehen auf Platz 1 der Warteliste.")
    await _register_by_form(browser, staff_app, event_id, "Forum Handel", GRETA, "Ihre Anmeldung ist bestätigt.")

    # The organiser sees her in the list and in the XLSX export of what the list shows.
    main = page.locator("main")
    participants = f"/events/{event_id}/participants"
    await visit(page, staff_app, participants)
    await expect(main.get_by_role("table", name=re.compile("Anmeldungen: 4"))).to_be_visible()
    hanna_row = main.get_by_role("row", name=re.compile("Hofmann, Hanna"))
    await expect(hanna_row).to_contain_text("Forum Wohnen")
    await expect(hanna_row).to_contain_text("Bestätigt")
    waiting = main.get_by_role("table", name="Warteliste: Forum Wohnen")
    await expect(waiting.get_by_role("row", name=re.compile("Thal, Tom"))).to_contain_text("1")
    await page.get_by_label(re.compile("^Suche")).fill("Hofmann")
    await page.get_by_role("button", name="Anwenden").click()
    await check_any_page(page)
    await expect(main.get_by_role("table", name=re.compile("Anmeldungen: 1"))).to_be_visible()
    xlsx_href = await main.get_by_role("link", name="Export XLSX (dieser Filter)").get_attribute("href")
    xlsx = await page.request.get(staff_app.url + xlsx_href)
    assert xlsx.status == 200, xlsx.status
    sheet = load_workbook(io.BytesIO(await xlsx.body())).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [(r[header.index("Nachname")], r[header.index("E-Mail")]) for r in rows] == [("Hofmann", HANNA["email"])]

    # Her page, then cancel on her behalf with a reason: she is emailed, Tom moves up.
    await main.get_by_role("link", name="Hofmann, Hanna").click()
    await page.wait_for_url(re.compile("/registrations/"))
    await check_any_page(page)
    hanna_url = page.url.split("?")[0]
    await main.get_by_role("link", name="Anmeldung stornieren").click()
    await page.wait_for_url(re.compile("/cancel"))
    await check_any_page(page)
    await page.get_by_label("Begründung für die Person (optional)").fill("Die Sitzung wird verkleinert.")
    await page.get_by_role("button", name="Ja, stornieren").click()
    await page.wait_for_url(re.compile(re.escape(hanna_url) + r"(\?|$)"))
    await expect(main).to_contain_text("Storniert – durch das Veranstaltungsteam")
    await check_any_page(page)
    mailbox = staff_app.mailbox
    [cancelled] = await mailbox.wait_for(
        1, predicate=lambda m: m.rcpt_tos == (HANNA["email"],) and "storniert" in m.subject)
    assert "Die Sitzung wird verkleinert." in cancelled.text
    await mailbox.wait_for(1, timeout=30, predicate=lambda m: m.rcpt_tos == (TOM["email"],) and "Nachgerückt" in m.subject)

    async def tom_confirmed() -> bool:
        await page.goto(staff_app.url + participants)
        return "Bestätigt" in await main.get_by_role("row", name=re.compile("Thal, Tom")).inner_text()
    await wait_until(tom_confirmed, what="Tom confirmed in the participants list")
    await check_any_page(page)
    await expect(main).to_contain_text("Warteliste: Forum Wohnen: Niemand wartet.")

    # A message to the session's confirmed participants: Paul and Tom, once each; not Hanna, not Greta.
    await visit(page, staff_app, f"/events/{event_id}/messages")
    await page.get_by_label("Teilnehmende mit Platz").check()
    await page.get_by_label("Sitzung").select_option(label="Forum Wohnen")
    await page.get_by_label("Betreff").fill("Neuer Raum")
    await page.get_by_role("textbox", name=re.compile("^Nachricht")).fill("Wir treffen uns in Raum 2.14.")
    await page.get_by_role("button", name="Vorschau").click()
    await expect(main).to_contain_text("geht an 2 Teilnehmende")
    await check_any_page(page)
    await page.get_by_role("button", name="Senden").click()
    await expect(page.get_by_role("status")).to_contain_text("Die Nachricht ist unterwegs")
    await check_any_page(page)

    def message(m) -> bool:
        return m.subject == f"[{TITLE}] Neuer Raum"
    arrived = await mailbox.wait_for(2, timeout=30, predicate=message)
    assert sorted(a for m in arrived for a in m.rcpt_tos) == sorted([PAUL["email"], TOM["email"]])
    assert all("Raum 2.14" in m.text for m in arrived)

    # An organiser of another organisation: the refusal page everywhere, the event not on her lists.
    other = await browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    other.set_default_timeout(10_000)
    try:
        stranger = await other.new_page()
        await sign_in(stranger, staff_app, "organiser_B")
        await expect(stranger.locator("main")).not_to_contain_text(TITLE)
        registration_path = hanna_url.removeprefix(staff_app.url)
        for path in (f"/events/{event_id}", participants, f"{participants}?q=Hofmann", registration_path,
                     f"{registration_path}/cancel", f"{registration_path}/move", f"{registration_path}/erase",
                     f"/events/{event_id}/messages", f"/events/{event_id}/audit", f"/events/{event_id}/edit"):
            await visit(stranger, staff_app, path, status=403)
            await expect(stranger.locator("main")).to_contain_text("Dafür haben Sie keine Berechtigung.")
            await expect(stranger.locator("main")).not_to_contain_text("Hofmann")
        export = await stranger.request.get(staff_app.url + xlsx_href)
        assert export.status == 403, export.status
        assert b"Hofmann" not in await export.body()
        await visit(stranger, staff_app, "/events")
        await expect(stranger.locator("main")).not_to_contain_text(TITLE)
    finally:
        await other.close()
    assert len([m for m in mailbox.messages if message(m)]) == 2  # once per participant, nothing more came
