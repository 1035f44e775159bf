"""Erasing a person's data in the staff app, in Chromium: one registration through its confirmation page (an
organiser of the event; a contact person is refused by the registration service, shown as a page), and every
registration of an address (form, errors next to the field, confirmation, result: an organiser's own events'
only, then an admin the rest). The seat goes to the waiting list; every state is checked with axe at 1280x800,
in German and English; the forms by keyboard alone."""

import uuid

from playwright.async_api import Page, expect

from ..browser.site import check_any_page
from ..browser.test_public_pages import _tab_to
from ..waiting import wait_until
from .browsing import sign_in, visit
from .conftest import StaffApp


def _address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.org"


async def _record(app: StaffApp, registration_id: str) -> dict:
    [row] = await app.services["registration"].fetch(
        "SELECT status, email, last_name, erased_because FROM registration WHERE id = $1::uuid", registration_id)
    return dict(row)


async def _press(page: Page, button: str) -> None:
    """Tab to the button (each stop with a visible focus), then Enter."""
    await _tab_to(page, lambda focused: focused["tag"] == "button" and focused["text"] == button)
    await page.keyboard.press("Enter")


async def test_an_organiser_erases_a_registration_after_confirming_and_the_waiting_list_moves_up(
        staff_app: StaffApp, page: Page) -> None:
    event = await staff_app.event("A", [(1, 1)], title="Gründungsforum Musterstadt")
    first = await staff_app.register(event, event["sessions"][0], email=_address("erste"), last_name="Löschbar")
    waiting = await staff_app.register(event, event["sessions"][0], email=_address("wartende"))
    assert (first["status"], waiting["status"]) == ("confirmed", "waitlisted")
    path = f"/registrations/{first['id']}/erase"

    await sign_in(page, staff_app, "organiser_A")
    await visit(page, staff_app, f"{path}?lang=en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Erase registration")
    await expect(page.locator("main")).to_contain_text("This cannot be undone.")
    await visit(page, staff_app, path)
    main = page.locator("main")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung löschen")
    await expect(main).to_contain_text("Sie löschen die Anmeldung von Erika Löschbar zu „Gründungsforum Musterstadt“")
    for said in ("zuerst storniert", "nächste Person auf der Warteliste", "in allen Diensten",
                 "kann nicht rückgängig gemacht werden"):
        await expect(main).to_contain_text(said)
    await expect(main.get_by_role("link", name="Zurück zur Anmeldung")).to_have_attribute(
        "href", f"/registrations/{first['id']}")
    assert (await _record(staff_app, first["id"]))["last_name"] == "Löschbar"  # the page alone erased nothing

    await _press(page, "Endgültig löschen")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung gelöscht")
    await expect(page.get_by_role("status")).to_have_text("Die personenbezogenen Daten der Anmeldung sind gelöscht.")
    await check_any_page(page)
    record = await _record(staff_app, first["id"])
    assert (record["status"], record["email"], record["last_name"], record["erased_because"]) == (
        "cancelled", None, None, "staff")

    async def moved_up() -> bool:
        return (await _record(staff_app, waiting["id"]))["status"] == "confirmed"
    await wait_until(moved_up, timeout=30, what="the waiting list moving up into the erased registration's seat")

    # Sent again (a reload of the answer): the same page, nothing more happens.
    await page.reload()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung gelöscht")


async def test_a_contact_person_may_not_erase_and_is_told_so(staff_app: StaffApp, page: Page) -> None:
    event = await staff_app.event("A", [(5, 0)], title="Netzwerkabend Musterstadt")
    registered = await staff_app.register(event, event["sessions"][0], email=_address("bleibt"), last_name="Bleibt")
    await sign_in(page, staff_app, "contact_A")
    await visit(page, staff_app, f"/registrations/{registered['id']}", status=200)  # she reads it
    await expect(page.locator("main").get_by_role("link", name="Daten löschen")).to_have_count(0)
    await visit(page, staff_app, f"/registrations/{registered['id']}/erase", status=403)  # and may not erase it
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nicht möglich")
    await expect(page.locator("main")).to_contain_text("Dafür haben Sie keine Berechtigung.")
    await check_any_page(page)
    assert (await _record(staff_app, registered["id"]))["last_name"] == "Bleibt"


async def test_every_registration_of_an_address_the_organisers_then_the_admin_the_rest(
        staff_app: StaffApp, page: Page) -> None:
    address = _address("mehrfach")
    registered = []
    for organisation, title in (("A", "Innovationstag Musterstadt"), ("A", "Ausbildungsbörse Musterstadt"),
                                ("B", "Meisterfeier Beispielland")):
        event = await staff_app.event(organisation, [(5, 0)], title=title, contact=None)
        registered.append(await staff_app.register(event, event["sessions"][0], email=address, last_name="Mehrfach"))

    await sign_in(page, staff_app, "organiser_A")
    await visit(page, staff_app, "/erasures?lang=en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Erase a person's data")
    await visit(page, staff_app, "/erasures")
    await expect(page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Daten löschen")).to_have_attribute("aria-current", "page")

    # By keyboard: Tab to the field, type a wrong address, Enter: the error next to the field and in the summary.
    await _tab_to(page, lambda focused: focused["id"] == "email")
    await page.keyboard.type("keine-adresse")
    await page.keyboard.press("Enter")
    field = page.get_by_label("E-Mail-Adresse der Person")
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_have_value("keine-adresse")
    await expect(page.locator("#email-error")).to_have_text(
        "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.")
    await expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#email")
    await check_any_page(page)

    await _tab_to(page, lambda focused: focused["id"] == "email")
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.type(address.upper())
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Alle Anmeldungen dieser Adresse löschen?")
    await expect(page.locator("main")).to_contain_text("kann nicht rückgängig gemacht werden")
    await check_any_page(page)
    assert [(await _record(staff_app, r["id"]))["email"] for r in registered] == [address] * 3  # not yet

    await _press(page, "Endgültig löschen")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldungen gelöscht")
    await expect(page.get_by_role("status")).to_have_text("2 Anmeldungen gelöscht.")
    await expect(page.locator("main")).to_contain_text("nur Anmeldungen zu Veranstaltungen, die Sie verwalten")
    await check_any_page(page)
    records = [await _record(staff_app, r["id"]) for r in registered]
    assert [r["erased_because"] for r in records] == ["staff", "staff", None]  # B's is not A's to erase

    # The admin, in English: the one left.
    await page.context.clear_cookies()
    await sign_in(page, staff_app, "admin")
    await visit(page, staff_app, "/erasures?lang=en")
    await page.get_by_label("The person's email address").fill(address)
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Erase every registration of this address?")
    await check_any_page(page)
    await page.get_by_role("button", name="Erase for good").click()
    await expect(page.get_by_role("status")).to_have_text("1 registration erased.")
    await expect(page.locator("main")).not_to_contain_text("Only registrations for events you manage")
    await check_any_page(page)
    assert (await _record(staff_app, registered[2]["id"]))["erased_because"] == "staff"

    # Again: nothing left to erase, and the page says so.
    await page.goto(f"{staff_app.url}/erasures?lang=en")
    await page.get_by_label("The person's email address").fill(address)
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Erase for good").click()
    await expect(page.get_by_role("status")).to_contain_text("No registration erased")
    await check_any_page(page)
