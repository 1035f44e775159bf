"""The participants pages in Chromium: an event's list filtered, searched and sorted by a GET form (no JavaScript
needed), its CSV and XLSX exports holding exactly the filtered rows, the waiting list in order; a person's page
with the status history and the emails sent to them; cancelling with a reason by keyboard alone (the person
is emailed with the reason, the waiting list moves up); a contact person reads the same pages without actions.
axe on every page and state at 1280x800."""

import csv
import io
import re

from openpyxl import load_workbook
from playwright.async_api import Page, expect

from ..browser.site import check_any_page
from ..registration.test_staff_participants import PEOPLE
from ..waiting import wait_until
from .browsing import sign_in, visit
from .conftest import StaffApp


async def _people(staff_app: StaffApp, tag: str) -> tuple[dict, dict]:
    """A fresh event and its four people, their addresses tagged (the mailbox is the module's)."""
    event = await staff_app.event("A", [(1, 2), (5, 0)], title="Fachkräftetag Teilnehmende")
    people = {}
    for key, number, person in PEOPLE:
        people[key] = await staff_app.register(event, event["sessions"][number], email=f"{key}.{tag}@example.org", **person)
    return event, people


async def test_an_organiser_filters_exports_and_cancels_with_a_reason_by_keyboard(
        staff_app: StaffApp, page: Page) -> None:
    event, people = await _people(staff_app, "cancel")
    await sign_in(page, staff_app, "organiser_A")
    path = f"/events/{event['id']}/participants"
    await visit(page, staff_app, path)
    main = page.locator("main")
    table = main.get_by_role("table", name=re.compile("Anmeldungen: 4"))
    await expect(table).to_be_visible()
    waiting = main.get_by_role("table", name="Warteliste: Forum 1")
    await expect(waiting.get_by_role("row")).to_have_count(3)
    await expect(waiting.get_by_role("row").nth(1)).to_contain_text("1")
    await expect(waiting.get_by_role("row").nth(1)).to_contain_text("Yilmaz, Bruno")
    await expect(waiting.get_by_role("row").nth(2)).to_contain_text("Xu, Clara")

    # Filter by the form: Stadtwerke, waitlisted or confirmed, by last name Z-A.
    await page.get_by_label("Organisation enthält").fill("stadtwerke")
    await page.get_by_label("Bestätigt").check()
    await page.get_by_label("Warteliste", exact=True).check()
    await page.get_by_label("Sortierung").select_option("-last_name")
    await page.get_by_role("button", name="Anwenden").click()
    await check_any_page(page)
    table = main.get_by_role("table", name=re.compile("Anmeldungen: 3"))
    names = [await row.get_by_role("rowheader").inner_text() for row in await table.locator("tbody tr").all()]
    assert names == ["Zander, Alma", "Yilmaz, Bruno", "Xu, Clara"]

    csv_href = await main.get_by_role("link", name="Export CSV (dieser Filter)").get_attribute("href")
    xlsx_href = await main.get_by_role("link", name="Export XLSX (dieser Filter)").get_attribute("href")
    assert "organisation=stadtwerke" in csv_href and "sort=-last_name" in xlsx_href
    csv_file = await page.request.get(staff_app.url + csv_href)
    header, *rows = list(csv.reader(io.StringIO((await csv_file.body()).decode("utf-8-sig")), delimiter=";"))
    assert [f"{r[header.index('Nachname')]}, {r[header.index('Vorname')]}" for r in rows] == names
    xlsx_file = await page.request.get(staff_app.url + xlsx_href)
    sheet = load_workbook(io.BytesIO(await xlsx_file.body())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [f"{v[header.index('Nachname')]}, {v[header.index('Vorname')]}" for v in values[1:]] == names

    # A bad date range: the form again, the error named.
    await visit(page, staff_app, f"{path}?registered_from=2027-03-02&registered_to=2027-03-01", status=422)
    await expect(page.get_by_role("alert")).to_contain_text("Angemeldet bis (Datum)")

    # Alma's page: data, history, emails; cancel with a reason, by keyboard alone.
    await visit(page, staff_app, f"/registrations/{people['alma']['id']}")
    await expect(main).to_contain_text("Bestätigt – Platzvergabe")
    await expect(main.get_by_role("table", name="Gesendete E-Mails")).to_contain_text("Anmeldung bestätigt", timeout=20_000)
    await visit(page, staff_app, f"/registrations/{people['alma']['id']}")
    await main.get_by_role("link", name="Anmeldung stornieren").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile("/cancel"))
    await check_any_page(page)
    await expect(main).to_contain_text("Die Person bekommt eine E-Mail")
    await expect(main).to_contain_text("nächste Person auf der Warteliste")
    await page.get_by_label("Begründung für die Person (optional)").focus()
    await page.keyboard.type("Die Sitzung ist für Mitglieder vorgesehen.")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Ja, stornieren")).to_be_focused()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(f"/registrations/{people['alma']['id']}(\\?|$)"))
    await check_any_page(page)
    await expect(main).to_contain_text("Storniert – durch das Veranstaltungsteam")

    [cancellation] = await staff_app.mailbox.wait_for(
        1, predicate=lambda m: m.rcpt_tos == ("alma.cancel@example.org",) and "storniert" in m.subject)
    assert "Die Sitzung ist für Mitglieder vorgesehen." in cancellation.text
    await staff_app.mailbox.wait_for(1, predicate=lambda m: m.rcpt_tos == ("bruno.cancel@example.org",) and "Nachgerückt" in m.subject)

    async def moved_up() -> bool:
        rows = await staff_app.services["registration"].fetch(
            "SELECT status FROM registration WHERE id = $1::uuid", people["bruno"]["id"])
        return rows[0]["status"] == "confirmed"

    await wait_until(moved_up, what="Bruno moving up")
    await visit(page, staff_app, f"/registrations/{people['bruno']['id']}")
    await expect(main).to_contain_text("Bestätigt – von der Warteliste nachgerückt")

    # Too long a reason: the form again with the error at the field.
    await visit(page, staff_app, f"/registrations/{people['dora']['id']}/cancel")
    await page.get_by_label("Begründung für die Person (optional)").fill("x" * 501)
    await page.get_by_role("button", name="Ja, stornieren").click()
    await check_any_page(page)
    await expect(page.get_by_role("alert")).to_contain_text("höchstens 500 Zeichen")


async def test_a_contact_person_reads_the_pages_without_actions(staff_app: StaffApp, page: Page) -> None:
    event, people = await _people(staff_app, "contact")
    await sign_in(page, staff_app, "contact_A")
    await visit(page, staff_app, f"/events/{event['id']}/participants")
    await expect(page.locator("main").get_by_role("table", name=re.compile("Anmeldungen: 4"))).to_be_visible()
    await visit(page, staff_app, f"/registrations/{people['dora']['id']}")
    await expect(page.locator("main").get_by_role("link", name="Anmeldung stornieren")).to_have_count(0)
    await expect(page.locator("main")).to_contain_text("Weber")


async def test_an_organiser_moves_a_person_to_a_session_with_a_free_seat(staff_app: StaffApp, page: Page) -> None:
    _, people = await _people(staff_app, "move")
    await sign_in(page, staff_app, "organiser_A")
    main = page.locator("main")
    # Dora's session is the only one with free seats: nowhere to move her.
    await visit(page, staff_app, f"/registrations/{people['dora']['id']}/move")
    await expect(main).to_contain_text("Keine andere Sitzung dieser Veranstaltung hat gerade einen freien Platz.")

    await visit(page, staff_app, f"/registrations/{people['alma']['id']}")
    await main.get_by_role("link", name="In eine andere Sitzung umbuchen").click()
    await check_any_page(page)
    await expect(main).to_contain_text("ihr bisheriger Platz geht an die nächste Person auf der Warteliste")
    await page.get_by_role("button", name="Umbuchen").click()  # nothing chosen: said at the field
    await check_any_page(page)
    await expect(page.get_by_role("alert")).to_contain_text("Bitte wählen Sie eine Sitzung.")
    await page.get_by_label("Forum 2 (4 Plätze frei)").focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(f"/registrations/{people['alma']['id']}(\\?|$)"))
    await check_any_page(page)
    await expect(main).to_contain_text("Die Anmeldung ist umgebucht")
    await expect(main).to_contain_text("Umgebucht von „Forum 1“ nach „Forum 2“")
    await staff_app.mailbox.wait_for(
        1, predicate=lambda m: m.rcpt_tos == ("alma.move@example.org",) and "Session geändert" in m.subject)
    await staff_app.mailbox.wait_for(
        1, predicate=lambda m: m.rcpt_tos == ("bruno.move@example.org",) and "Nachgerückt" in m.subject)
