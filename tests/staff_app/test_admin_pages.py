"""The admins' pages in Chromium: accounts (the list with roles in words and the catalog's names, an invitation
by keyboard alone whose email arrives, roles added and removed, the last admin kept, deactivation and back,
the second factor reset, the account's audit entries), machine tokens (created and shown once, working in
another service, revoked after a confirmation, then refused there), the 403 page for anyone else, and the
audit of an event. Every page and state with axe at 1280x800, German and English."""

import re
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
from playwright.async_api import Page, expect

from staff.adapters import totp_factors
from staff.domain import totp

from ..browser.site import check_any_page
from ..browser.test_public_pages import _tab_to
from ..waiting import wait_until
from .browsing import sign_in, visit
from .conftest import StaffApp


async def _tab_to_field(page: Page, field_id: str) -> None:
    await _tab_to(page, lambda focused: focused["id"] == field_id)


async def _press(page: Page, button: str) -> None:
    await _tab_to(page, lambda focused: focused["tag"] == "button" and focused["text"] == button)
    await page.keyboard.press("Enter")


async def test_an_admin_invites_by_keyboard_alone_and_manages_the_account(staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "admin")
    await visit(page, staff_app, "/accounts")
    main = page.locator("main")
    organiser = main.get_by_role("row", name=re.compile("Olga Organisatorin"))
    await expect(organiser).to_contain_text("Veranstalter für Wirtschaftsförderung Musterstadt")
    await expect(organiser).to_contain_text("aktiv")
    await expect(main.get_by_role("row", name=re.compile("Clara Kontakt"))).to_contain_text(
        "Ansprechperson Clara Kontakt (Wirtschaftsförderung Musterstadt)")
    await visit(page, staff_app, "/accounts?lang=en")
    await expect(organiser).to_contain_text("Organiser for Wirtschaftsförderung Musterstadt")

    # The invitation, by keyboard alone: a wrong address first (said next to the field), then right.
    await visit(page, staff_app, "/accounts")
    await _tab_to(page, lambda focused: focused["text"] == "Zugang einladen")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{staff_app.url}/accounts/invite")
    await check_any_page(page)
    await _tab_to_field(page, "email")
    await page.keyboard.type("neu.example.de")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Nora Neu")
    await _tab_to_field(page, "role")
    await page.keyboard.press("ArrowDown")  # Verwaltung
    await page.keyboard.press("ArrowDown")  # Veranstalter einer Organisation
    await _tab_to_field(page, "organisation_id")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")  # Wirtschaftsförderung Musterstadt (by name, after Handwerkskammer)
    await _press(page, "Einladen")
    await expect(page.get_by_role("alert")).to_contain_text("Bitte geben Sie eine gültige E-Mail-Adresse an.")
    await expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#display_name")).to_have_value("Nora Neu")
    await expect(page.locator("#organisation_id")).to_have_value(staff_app.ids["org_A"])
    await check_any_page(page)
    await _tab_to(page, lambda focused: focused["tag"] == "a" and "E-Mail" in focused["text"])  # the summary's link
    await _tab_to_field(page, "email")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("nora.neu@staff-app.example.de")
    await _press(page, "Einladen")
    await expect(page.get_by_role("status")).to_have_text("Die Einladung ist verschickt.")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Zugang: Nora Neu")
    await check_any_page(page)
    account_path = re.sub(r"\?.*", "", page.url.removeprefix(staff_app.url))
    account_id = account_path.rsplit("/", 1)[1]
    [email] = await staff_app.mailbox.wait_for(1, predicate=lambda m: "nora.neu@staff-app.example.de" in m.rcpt_tos)
    assert "Einladung zu Treffpunkt" in email.subject
    assert f"{staff_app.url}/invitation?token=" in (email.text or "")
    main = page.locator("main")
    await expect(main.get_by_role("listitem").filter(has_text="Veranstalter für Wirtschaftsförderung Musterstadt")
                 ).to_be_visible()
    audit_rows = main.get_by_role("table", name=re.compile("Was Nora Neu getan hat"))
    await expect(audit_rows.get_by_role("row", name=re.compile("Einladung verschickt"))).to_contain_text("Ada Admin")
    await expect(audit_rows.get_by_role("row", name=re.compile("Zugang angelegt"))).to_contain_text("Ada Admin")

    # A role: the contact person chosen without one first (said next to the field), then added; one removed.
    await page.locator("#role").select_option("contact")
    await page.get_by_role("button", name="Rolle hinzufügen").click()
    await expect(page.locator("#contact_person_id-error")).to_have_text("Bitte wählen Sie die Ansprechperson.")
    await check_any_page(page)
    await page.locator("#role").select_option("contact")
    await page.locator("#contact_person_id").select_option(staff_app.ids["contact_A"])
    await page.get_by_role("button", name="Rolle hinzufügen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Rolle ist hinzugefügt.")
    roles = main.locator("ul.roles > li")
    await expect(roles).to_have_count(2)
    await roles.filter(has_text="Veranstalter für").get_by_role("button", name="Entfernen").click()
    await expect(page.get_by_role("status")).to_have_text("Die Rolle ist entfernt.")
    await expect(roles).to_have_count(1)
    await expect(roles).to_contain_text("Ansprechperson Clara Kontakt")
    [row] = await staff_app.staff.fetch(
        "SELECT array_agg(role::text) AS roles FROM staff_membership WHERE account_id = $1::uuid", account_id)
    assert row["roles"] == ["contact"]

    # Deactivated (its sessions end) and active again; the second factor reset where there is one.
    await page.get_by_role("button", name="Zugang deaktivieren").click()
    await expect(page.get_by_role("status")).to_have_text("Der Zugang ist deaktiviert; seine Sitzungen sind beendet.")
    await expect(main.locator("dl")).to_contain_text("deaktiviert")
    await expect(page.get_by_role("button", name="Einladung noch einmal senden")).to_have_count(0)
    await check_any_page(page)
    await page.get_by_role("button", name="Zugang wieder aktivieren").click()
    await expect(page.get_by_role("status")).to_have_text("Der Zugang ist wieder aktiv.")
    conn = await asyncpg.connect(staff_app.staff.dsn)
    try:
        await totp_factors.enrolling_secret(conn, UUID(account_id), totp.new_secret(), now=datetime.now(UTC))
    finally:
        await conn.close()
    await visit(page, staff_app, f"{account_path}?lang=en")
    await expect(main.locator("dl")).to_contain_text("set up")
    await page.get_by_role("button", name="Reset the second factor").click()
    await expect(page.get_by_role("status")).to_have_text("The second factor is reset.")
    await expect(main.locator("dl")).to_contain_text("not set up")
    for action in ("second factor reset", "account deactivated", "account changed"):
        await expect(main.get_by_role("row", name=re.compile(action)).first).to_contain_text("Ada Admin")
    await check_any_page(page)

    # The last active admin keeps her role: said on her page.
    await visit(page, staff_app, "/accounts")
    await main.get_by_role("link", name="Ada Admin").click()
    await main.locator("ul.roles > li").filter(has_text="Verwaltung").get_by_role("button", name="Entfernen").click()
    await expect(page.get_by_role("alert")).to_contain_text("keinen aktiven Zugang mit der Rolle Verwaltung")
    await expect(main.locator("ul.roles > li")).to_have_count(1)
    await check_any_page(page)

    # An address that has an account already: said next to the field, nothing created.
    await visit(page, staff_app, "/accounts/invite?lang=en")
    await page.locator("#email").fill(staff_app.emails["organiser_B"].upper())
    await page.locator("#display_name").fill("Bernd Doppelt")
    await page.get_by_role("button", name="Invite").click()
    await expect(page.locator("#email-error")).to_have_text("There is an account with this email address already.")
    await check_any_page(page)
    assert not await staff_app.staff.fetch("SELECT 1 FROM staff_account WHERE display_name = 'Bernd Doppelt'")


async def test_a_machine_token_is_shown_once_works_and_is_revoked_after_confirming(
        staff_app: StaffApp, page: Page) -> None:
    await sign_in(page, staff_app, "admin")
    await visit(page, staff_app, "/machine-tokens")
    main = page.locator("main")
    await expect(main).to_contain_text("Noch keine Maschinen-Token.")

    await page.get_by_role("button", name="Token erstellen").click()  # no name
    await expect(page.locator("#name-error")).to_have_text("Bitte füllen Sie dieses Feld aus.")
    await check_any_page(page)
    await page.get_by_label("Name").fill("website-import")
    await page.get_by_label("Bereich").select_option(staff_app.ids["org_A"])
    await page.get_by_label("Darf Daten ändern").check()
    await page.get_by_role("button", name="Token erstellen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Token erstellt: website-import")
    await expect(page.get_by_role("status")).to_contain_text("nur dieses eine Mal angezeigt")
    await check_any_page(page)
    token = (await page.locator("#token").text_content() or "").strip()
    assert token.startswith("tpk_")
    catalog = staff_app.services["catalog"].client
    headers = {"Authorization": f"Bearer {token}"}

    async def catalog_answers(status: int) -> bool:
        return (await catalog.get("/api/staff/events", headers=headers)).status_code == status
    await wait_until(lambda: catalog_answers(200), timeout=30, what="the catalog taking the new machine token")

    await page.get_by_role("link", name="Zu den Maschinen-Token").click()
    row = main.get_by_role("row", name=re.compile("website-import"))
    await expect(row).to_contain_text("Wirtschaftsförderung Musterstadt")
    await expect(row).to_contain_text("lesen und ändern")
    await expect(main).not_to_contain_text(token)  # never again
    await check_any_page(page)
    await row.get_by_role("link", name="Widerrufen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Token widerrufen: website-import")
    await expect(main).to_contain_text("sofort in allen Diensten ungültig")
    await check_any_page(page)
    await page.get_by_role("button", name="Endgültig widerrufen").click()
    await expect(page.get_by_role("status")).to_have_text("Der Token ist widerrufen.")
    await expect(row).to_contain_text("widerrufen am")
    await expect(row.get_by_role("link", name="Widerrufen")).to_have_count(0)
    await wait_until(lambda: catalog_answers(401), timeout=30, what="the catalog refusing the revoked token")
    [created, revoked] = await staff_app.staff.fetch(
        "SELECT action, actor_account_id::text AS actor FROM audit_entry WHERE action IN ('token_created', "
        "'token_revoked') ORDER BY id")
    assert (created["action"], revoked["action"]) == ("token_created", "token_revoked")
    [admin] = await staff_app.staff.fetch("SELECT id::text FROM staff_account WHERE email = $1", staff_app.emails["admin"])
    assert created["actor"] == revoked["actor"] == admin["id"]  # the admin, as in the admin API
    await visit(page, staff_app, "/machine-tokens?lang=en")
    await expect(row).to_contain_text("revoked on")


async def test_the_audit_of_an_event_names_who_did_what_in_every_service(staff_app: StaffApp, page: Page) -> None:
    event = await staff_app.event("A", [(4, 0)], title="Innovationstag Musterstadt")
    await staff_app.register(event, event["sessions"][0], email="audit.teilnehmerin@example.org")
    await sign_in(page, staff_app, "organiser_A")
    csrf = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    # The admins' pages are not hers: the app's refusal page, and nothing done.
    await visit(page, staff_app, "/accounts", status=403)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nicht möglich")
    await expect(page.locator("main")).to_contain_text("keine Berechtigung")
    for path in ("/accounts/invite", "/machine-tokens", f"/accounts/{uuid4()}"):
        assert (await page.request.get(staff_app.url + path)).status == 403, path
    answer = await page.request.post(f"{staff_app.url}/machine-tokens", form={"csrf_token": csrf or "", "name": "x"})
    assert answer.status == 403
    assert not await staff_app.staff.fetch("SELECT 1 FROM machine_token WHERE name = 'x'")

    # An action of the organiser's own, in the registration service: the participant list exported with her token.
    minted = await page.request.post(f"{staff_app.url}/api/tokens", data={"audience": "registration"},
                                     headers={"X-CSRF-Token": csrf or ""})
    assert minted.status == 200, await minted.text()
    exported = await staff_app.services["registration"].client.get(
        f"/api/staff/events/{event['id']}/registrations.csv",
        headers={"Authorization": f"Bearer {(await minted.json())['access_token']}"})
    assert exported.status_code == 200, exported.text

    await visit(page, staff_app, f"/events/{event['id']}/audit")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Protokoll: Innovationstag Musterstadt")
    rows = page.locator("main tbody tr")
    await expect(rows.first).to_contain_text("Teilnehmendenliste exportiert")  # the newest first
    await expect(rows.first).to_contain_text("Olga Organisatorin")
    await expect(rows.first).to_contain_text("Anmeldung")  # the service
    for action, about in (("Veranstaltung angelegt", "die Veranstaltung"), ("Sitzung hinzugefügt", "Sitzung Forum 1"),
                          ("Veranstaltung veröffentlicht", "die Veranstaltung")):
        row = rows.filter(has_text=action)
        await expect(row).to_contain_text("Maschinen-Token staff-app-builder")
        await expect(row).to_contain_text(about)
    await visit(page, staff_app, f"/events/{event['id']}/audit?lang=en")
    await expect(rows.first).to_contain_text("participant list exported")

    await page.context.clear_cookies()
    await sign_in(page, staff_app, "organiser_B")  # another organisation's organiser: the catalog refuses
    await visit(page, staff_app, f"/events/{event['id']}/audit", status=403)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nicht möglich")
