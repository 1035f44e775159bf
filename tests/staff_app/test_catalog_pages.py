"""The staff app's catalog pages in Chromium, with the real services: an admin keeps organisations, contact persons
and programmes (lists, forms, a form with errors next to the fields and what was typed kept, German and
English); an organiser creates an event with two sessions by keyboard alone, sees their fill levels, and takes
it through publish, close and cancel, each step's confirmation saying what it will cause (the cancellation
counting the active registrations it emails); an organiser of another organisation gets the refusal page for
that event. Every page and state visited is checked with axe (and the other checks every page gets)."""

import re

from playwright.async_api import Locator, Page, expect

from ..browser.site import check_any_page
from ..waiting import wait_until
from .browsing import sign_in, visit
from .conftest import StaffApp


async def tab_to(page: Page, target: Locator, most: int = 120) -> None:
    """Press Tab until `target` has the focus (as someone with a keyboard gets there)."""
    for _ in range(most):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


async def type_into(page: Page, target: Locator, text: str) -> None:
    await tab_to(page, target)
    await page.keyboard.press("Control+A")
    await page.keyboard.type(text)


async def type_time(page: Page, target: Locator, month_day_year: str, hours_minutes: str, expected: str) -> None:
    """A datetime-local by keyboard: its segments as Chromium orders them (month, day, year; hours, minutes)."""
    await tab_to(page, target)
    await page.keyboard.type(month_day_year)
    await page.keyboard.press("Tab")
    await page.keyboard.type(hours_minutes)
    assert await target.input_value() == expected


async def submit(page: Page, button: str = "Speichern") -> None:
    await tab_to(page, page.get_by_role("button", name=button))
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_an_admin_keeps_organisations_contact_persons_and_programmes(staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "admin")
    await visit(page, staff_app, "/organisations")
    main = page.locator("main")
    await expect(main.get_by_role("link", name="Wirtschaftsförderung Musterstadt")).to_be_visible()
    await page.get_by_role("link", name="Neue Organisation").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Neue Organisation")

    # Wrong: no name, an address without https. The errors stand next to their fields; what was typed stays.
    await page.get_by_label("Website").fill("www.zunft.example.de")
    await page.get_by_label("Art").select_option("guild_association")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.locator("#name-error")).to_have_text("Bitte füllen Sie dieses Feld aus.")
    await expect(page.locator("#website-error")).to_have_text("Bitte geben Sie eine vollständige Adresse mit https:// an.")
    await expect(page.get_by_label("Website")).to_have_value("www.zunft.example.de")
    await expect(page.get_by_label("Art")).to_have_value("guild_association")
    await expect(page.get_by_role("alert")).to_contain_text("Website")
    await check_any_page(page)

    await page.get_by_label(re.compile("^Name")).fill("Zunft der Bäcker")
    await page.get_by_label("Website").fill("https://zunft.example.de")
    await page.get_by_label("Adresse der Datenschutzhinweise").fill("https://zunft.example.de/datenschutz")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Die Organisation ist angelegt.")
    row = main.get_by_role("row", name=re.compile("Zunft der Bäcker"))
    await expect(row).to_contain_text("Innung oder Verband")
    await expect(row).to_contain_text("ja")
    await row.get_by_role("link").click()
    await check_any_page(page)
    await expect(page.get_by_label("Website")).to_have_value("https://zunft.example.de")
    await page.get_by_label(re.compile("^Name")).fill("Bäckerzunft Musterstadt")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Die Organisation ist gespeichert.")
    await expect(main.get_by_role("link", name="Bäckerzunft Musterstadt")).to_be_visible()

    # The same form in English.
    await page.goto(f"{staff_app.url}/organisations/new?lang=en")  # the same page as above, checked there
    await expect(page.get_by_role("heading", level=1)).to_have_text("New organisation")
    await expect(page.get_by_label("Kind")).to_be_visible()
    await expect(page.get_by_role("button", name="Save")).to_be_visible()

    # Contact persons: a wrong address, then right; then changed.
    await visit(page, staff_app, "/contact-persons")
    await expect(main.get_by_role("link", name="Clara Kontakt")).to_be_visible()
    await visit(page, staff_app, "/contact-persons/new")
    await page.get_by_label("Organisation").select_option(label="Bäckerzunft Musterstadt")
    await page.get_by_label(re.compile("^Name")).fill("Paul Bäcker")
    await page.get_by_label("E-Mail-Adresse").fill("paul.baecker@")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.locator("#email-error")).to_have_text("Bitte geben Sie eine gültige E-Mail-Adresse an.")
    await expect(page.get_by_label(re.compile("^Name"))).to_have_value("Paul Bäcker")
    await check_any_page(page)
    await page.get_by_label("E-Mail-Adresse").fill("paul.baecker@zunft.example.de")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Die Ansprechperson ist angelegt.")
    await main.get_by_role("link", name="Paul Bäcker").click()
    await check_any_page(page)
    await page.get_by_label("Telefon").fill("+49 561 0000-303")
    await page.get_by_label("Funktion").fill("Obermeister")
    await page.get_by_role("button", name="Speichern").click()
    await expect(main.get_by_role("row", name=re.compile("Paul Bäcker"))).to_contain_text("+49 561 0000-303")

    # Programmes: one, then one linked to it, with its offices one a line.
    await visit(page, staff_app, "/programmes")
    await page.get_by_role("link", name="Neues Programm").click()
    await page.get_by_label("Titel").fill("Masterplan Industrie")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("link", name="Neues Programm").click()
    await page.get_by_label("Titel").fill("Partnerschaftstreffen")
    await page.get_by_label("Art").fill("Kooperation")
    await page.get_by_label("Zuständige Ämter und Stellen").fill("Amt für Wirtschaftsförderung\nStadtplanungsamt\n")
    await page.get_by_label("Masterplan Industrie").check()
    await check_any_page(page)
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Das Programm ist angelegt.")
    row = main.get_by_role("row", name=re.compile("Partnerschaftstreffen"))
    await expect(row).to_contain_text("Amt für Wirtschaftsförderung, Stadtplanungsamt")
    await expect(row).to_contain_text("Masterplan Industrie")
    await check_any_page(page)
    await row.get_by_role("link").click()
    await expect(page.get_by_label("Masterplan Industrie")).to_be_checked()
    await expect(page.get_by_label("Partnerschaftstreffen")).to_have_count(0)  # not linked to itself
    await check_any_page(page)


async def test_an_organiser_creates_an_event_with_sessions_by_keyboard_and_takes_it_through_its_steps(
        staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "organiser_A")
    await visit(page, staff_app, "/events")
    await tab_to(page, page.get_by_role("link", name="Neue Veranstaltung"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile("/events/new$"))
    await check_any_page(page)
    await expect(page.get_by_label("Wirtschaftsförderung Musterstadt")).to_be_checked()  # her organisation

    await type_into(page, page.get_by_label("Titel"), "Zukunft Innenstadt")
    await type_into(page, page.get_by_label(re.compile("^Ort ")), "Rathaus, Bürgersaal")
    await type_time(page, page.get_by_label(re.compile("^Beginn")), "03102027", "1400", "2027-03-10T14:00")
    await type_time(page, page.get_by_label(re.compile("^Ende")), "03092027", "1730", "2027-03-09T17:30")  # before the start
    await type_time(page, page.get_by_label("Anmeldeschluss"), "03032027", "1800", "2027-03-03T18:00")
    await submit(page)
    await expect(page.locator("#ends_at-error")).to_have_text("Das Ende muss nach dem Beginn liegen.")
    await expect(page.get_by_label("Titel")).to_have_value("Zukunft Innenstadt")
    await expect(page.get_by_label(re.compile("^Beginn"))).to_have_value("2027-03-10T14:00")
    await check_any_page(page)
    await type_time(page, page.get_by_label(re.compile("^Ende")), "03102027", "1730", "2027-03-10T17:30")
    await submit(page)
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist als Entwurf angelegt.")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Zukunft Innenstadt")
    await expect(page.locator("main")).to_contain_text("10.03.2027, 14:00 Uhr")
    event_url = page.url.split("?")[0]
    event_id = event_url.rsplit("/", 1)[1]

    for title, capacity, waitlist in (("Forum Handel", "20", "5"), ("Forum Wohnen", "1", "0")):
        await tab_to(page, page.get_by_role("link", name="Neue Sitzung"))
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile("/sessions/new"))
        await type_into(page, page.get_by_label("Titel"), title)
        await type_into(page, page.get_by_label(re.compile(r"^Plätze \(")), capacity)
        await type_into(page, page.get_by_label("Plätze auf der Warteliste"), waitlist)
        await tab_to(page, page.get_by_label("Clara Kontakt"))
        await page.keyboard.press("Space")
        await check_any_page(page)
        await submit(page)
        await expect(page.get_by_role("status")).to_have_text("Die Sitzung ist angelegt.")
    main = page.locator("main")
    await expect(main.get_by_role("row", name=re.compile("Forum Handel"))).to_contain_text("0 von 20 Plätzen belegt")
    await expect(main.get_by_role("row", name=re.compile("Forum Wohnen"))).to_contain_text("Clara Kontakt")
    await check_any_page(page)

    # A session changed, with an error first (a negative capacity), the event changed.
    await main.get_by_role("link", name="Forum Wohnen bearbeiten").click()
    await expect(page.get_by_label("Clara Kontakt")).to_be_checked()
    await page.get_by_label(re.compile(r"^Plätze \(")).fill("-1")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.locator("#capacity-error")).to_have_text("Die Zahl ist zu klein.")
    await check_any_page(page)
    await page.get_by_label(re.compile(r"^Plätze \(")).fill("2")
    await page.get_by_role("button", name="Speichern").click()
    await expect(main.get_by_role("row", name=re.compile("Forum Wohnen"))).to_contain_text("0 von 2 Plätzen belegt")
    await main.get_by_role("link", name="Veranstaltung bearbeiten").click()
    await expect(page.get_by_label(re.compile("^Ende"))).to_have_value("2027-03-10T17:30")
    await page.get_by_label("Bitte mitbringen").fill("Personalausweis")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist gespeichert.")
    await expect(main).to_contain_text("Personalausweis")

    # Publish: the confirmation says the form goes public.
    await main.get_by_role("link", name="Veröffentlichen").click()
    await expect(main).to_contain_text("Das Anmeldeformular wird öffentlich")
    await check_any_page(page)
    await page.get_by_role("button", name="Jetzt veröffentlichen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist veröffentlicht.")
    await expect(main.locator(".badge")).to_have_text("Veröffentlicht")

    async def copied() -> bool:
        rows = await staff_app.services["registration"].fetch(
            "SELECT status FROM catalog_event WHERE id = $1::uuid", event_id)
        return bool(rows) and rows[0]["status"] == "published"
    await wait_until(copied, what="registration's copy of the published event")
    event = (await staff_app.services["catalog"].client.get(f"/api/staff/events/{event_id}",
                                                            headers=staff_app.builder["catalog"])).json()
    await staff_app.register(event, event["sessions"][0], email="anna@example.org")
    await staff_app.register(event, event["sessions"][1], email="ben@example.org")
    await page.reload()
    await expect(main.get_by_role("row", name=re.compile("Forum Handel"))).to_contain_text("1 von 20 Plätzen belegt")

    # Close, then the list filtered by status.
    await main.get_by_role("link", name="Anmeldung schließen").click()
    await expect(main).to_contain_text("Es sind keine Anmeldungen mehr möglich.")
    await check_any_page(page)
    await page.get_by_role("button", name="Anmeldung jetzt schließen").click()
    await expect(main.locator(".badge")).to_have_text("Anmeldung geschlossen")
    await visit(page, staff_app, "/events?status=closed")
    await expect(main.get_by_role("link", name="Zukunft Innenstadt")).to_be_visible()
    await page.goto(f"{staff_app.url}/events?status=draft")
    await expect(main.get_by_role("link", name="Zukunft Innenstadt")).to_have_count(0)

    # Cancel: the confirmation counts the two active registrations it emails.
    await visit(page, staff_app, f"/events/{event_id}/cancel")
    await expect(main).to_contain_text("Die Absage geht per E-Mail an 2 Personen mit aktiver Anmeldung")
    await page.get_by_role("button", name="Endgültig absagen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Veranstaltung ist abgesagt.")
    await expect(main.locator(".badge")).to_have_text("Abgesagt")
    await expect(main.get_by_role("link", name="Veranstaltung bearbeiten")).to_have_count(0)
    await expect(main.get_by_role("link", name="Absagen")).to_have_count(0)
    await check_any_page(page)


async def test_an_organiser_of_another_organisation_gets_the_refusal_page(staff_app: StaffApp, page: Page) -> None:
    theirs = await staff_app.event("A", [(5, 0)], title="Stadtgespräch Musterstadt", publish=False)
    await sign_in(page, staff_app, "organiser_B")
    await visit(page, staff_app, f"/events/{theirs['id']}", status=403)
    await expect(page.locator("main")).to_contain_text("Dafür haben Sie keine Berechtigung.")
    for path in (f"/events/{theirs['id']}/edit", f"/events/{theirs['id']}/cancel",
                 f"/events/{theirs['id']}/sessions/new", f"/sessions/{theirs['sessions'][0]['id']}/edit"):
        answer = await page.goto(staff_app.url + path)  # the same page as above
        assert answer is not None and answer.status == 403, path
        await expect(page.locator("main")).to_contain_text("Dafür haben Sie keine Berechtigung.")
    answer = await page.request.post(f"{staff_app.url}/events/{theirs['id']}/publish",
                                     form={"csrf_token": await _csrf_token(page, staff_app)})
    assert answer.status == 403
    await visit(page, staff_app, "/events")
    await expect(page.locator("main")).not_to_contain_text("Stadtgespräch Musterstadt")
    await visit(page, staff_app, "/organisations")
    await expect(page.get_by_role("link", name="Neue Organisation")).to_have_count(0)  # admins only
    await expect(page.locator("main").get_by_role("link", name="Wirtschaftsförderung Musterstadt")).to_have_count(0)
    await expect(page.locator("main").get_by_role("link", name="Handwerkskammer Beispielland")).to_be_visible()


async def _csrf_token(page: Page, app: StaffApp) -> str:
    await page.goto(f"{app.url}/events/new")
    return await page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
