"""Every public page and state in Chromium: 0 axe violations against WCAG 2.1 A/AA, a registration
by keyboard alone, errors that lead to their fields, the announcement's content on the form, and the
accessibility statement."""

from playwright.async_api import Page

from .site import OPERATOR, check_page, visit

ANNOUNCEMENT = {
    "organisation": {"name": "Handwerkskammer Musterstadt", "website": "https://www.hwk-musterstadt.example.de"},
    "contact": {"name": "Mara Beispiel", "role": "Referentin Standortpolitik", "email": "mara.beispiel@hwk.example.org"},
    "session": {"description": "Was neue Festsetzungen für Betriebe bedeuten."},
    "description": "Stadtverwaltung und regionale Wirtschaft im Gespräch über den Masterplan Industrie.",
}


async def _focused(page: Page) -> dict:
    return await page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', text: el.textContent.trim(),
                value: el.value, outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
    }""")


async def _tab_to(page: Page, matches, *, key: str = "Tab", limit: int = 60) -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches; each element passed on the way must
    show where the focus is."""
    for _ in range(limit):
        await page.keyboard.press(key)
        focused = await _focused(page)
        assert focused["tag"] == "body" or (focused["outline"] != "none" and focused["outlineWidth"] >= 2), \
            f"no visible focus on {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"{key} never reached the element on {page.url}")


async def test_a_registration_by_keyboard_alone_through_every_page(public_site, page):
    event = await public_site.create_event([(1, 1), (20, 5)], **ANNOUNCEMENT)
    base = public_site.registration.base_url
    form_url = f"{base}/events/{event['id']}/register"

    await visit(page, f"{base}/")
    await visit(page, f"{base}/?lang=en")
    await visit(page, f"{form_url}?lang=en")
    await visit(page, form_url)

    # Tab into the sessions, choose the first with Space; type the details; go back with Shift+Tab to
    # correct the email; agree with Space; send with Enter.
    await _tab_to(page, lambda f: f["id"] == "session_id")
    await page.keyboard.press("Space")
    await _tab_to(page, lambda f: f["id"] == "first_name")
    await page.keyboard.type("Jana")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Muster")
    await page.keyboard.press("Tab")
    await page.keyboard.type("jana.muster@example")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Muster Logistik GmbH")
    assert (await _tab_to(page, lambda f: f["id"] == "email", key="Shift+Tab"))["value"] == "jana.muster@example"
    await page.keyboard.press("End")  # focus by keyboard selects the field's text
    await page.keyboard.type(".org")
    await _tab_to(page, lambda f: f["id"] == "consent")
    await page.keyboard.press("Space")
    await _tab_to(page, lambda f: f["tag"] == "button")
    await page.keyboard.press("Enter")

    await page.wait_for_url(form_url)
    status = page.locator("#status")
    assert await status.get_attribute("data-status") == "confirmed", await status.text_content()
    assert "Ihre Anmeldung ist bestätigt." in await status.text_content()
    await check_page(page)

    await _tab_to(page, lambda f: f["text"] == "Status Ihrer Anmeldung")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/r/**")
    await check_page(page)
    await _tab_to(page, lambda f: f["text"] == "Anmeldung stornieren")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/cancel?**")
    await check_page(page)
    await _tab_to(page, lambda f: f["tag"] == "button")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("text=Ihre Anmeldung ist storniert.")
    await check_page(page)

    # The first session's seat is free again; the form says so in words.
    await visit(page, form_url)
    assert "1 Platz frei" in await page.locator("label", has_text="Themenforum 1").text_content()
    await visit(page, f"{base}/r/{event['id']}?token=forged")  # the answer to a link that is not valid


async def test_errors_are_summarised_first_and_lead_to_their_fields(public_site, page):
    event = await public_site.create_event([(0, 2), (0, 0)])
    form_url = f"{public_site.registration.base_url}/events/{event['id']}/register"
    await visit(page, form_url)
    sessions = page.locator("fieldset label")
    assert "ausgebucht – Anmeldung auf die Warteliste möglich" in await sessions.nth(0).text_content()
    assert "ausgebucht" in await sessions.nth(1).text_content()

    await page.fill("#email", "not an address")
    await _tab_to(page, lambda f: f["tag"] == "button")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#error-summary")
    await check_page(page)

    assert (await page.title()).startswith("Fehler: ")
    assert (await _focused(page))["id"] == "error-summary"  # read first by a screen reader
    links = page.locator("#error-summary a")
    targets = [(await links.nth(i).get_attribute("href"))[1:] for i in range(await links.count())]
    assert targets[:2] == ["session_id", "first_name"] and {"email", "consent"} <= set(targets)
    for field in targets:
        described_by = (await page.locator(f"#{field}").get_attribute("aria-describedby")).split()
        assert f"{field}-error" in described_by and await page.locator(f"#{field}-error").is_visible()
        assert await page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
    assert await page.input_value("#email") == "not an address"  # what was typed stays

    await _tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("E-Mail"))
    await page.keyboard.press("Enter")
    assert (await _focused(page))["id"] == "email"


async def test_the_form_says_what_the_announcement_says(public_site, page):
    event = await public_site.create_event([(3, 0)], **ANNOUNCEMENT)
    base = public_site.registration.base_url

    await visit(page, f"{base}/events/{event['id']}/register")
    content = await page.locator("main").text_content()
    assert ANNOUNCEMENT["description"] in content
    assert ANNOUNCEMENT["session"]["description"] in content
    assert "Veranstalter: Handwerkskammer Musterstadt" in content
    assert await page.locator(f"a[href='{ANNOUNCEMENT['organisation']['website']}']").count() == 1
    contact = page.locator(".contacts li")
    assert await contact.text_content() == ("Mara Beispiel (Referentin Standortpolitik), Handwerkskammer Musterstadt, "
                                            "mara.beispiel@hwk.example.org")
    assert await contact.locator("a[href='mailto:mara.beispiel@hwk.example.org']").count() == 1
    assert "Anmeldeschluss:" in content
    assert await page.locator(f"main a[href='{OPERATOR['privacy_url']}']").count() == 1

    # The form's answer when the registration is refused (here: that address is registered already).
    await public_site.register(event, event["sessions"][0], wait=5, email="jana.muster@example.org")
    await page.fill("#first_name", "Jana")
    await page.fill("#last_name", "Muster")
    await page.fill("#email", "jana.muster@example.org")
    await page.fill("#organisation", "Muster Logistik GmbH")
    await page.check("#session_id")
    await page.check("#consent")
    await page.click("button[type=submit]")
    await page.wait_for_selector("p.notice.error[role=alert]")
    await check_page(page)

    await visit(page, f"{base}/")
    listing = await page.locator("main").text_content()
    assert ANNOUNCEMENT["description"] in listing and "Veranstalter: Handwerkskammer Musterstadt" in listing
    assert "Anmeldeschluss:" in listing and "Themenforum 1" in listing
    organiser_id = event["organisers"][0]["id"]
    assert await page.locator("a[href='/events.ics']").count() == 1
    assert await page.locator(f"a[href='/organisations/{organiser_id}/events.ics']").text_content() == \
        "Veranstaltungen von Handwerkskammer Musterstadt"


async def test_the_accessibility_statement_in_german_and_english(public_site, page):
    base = public_site.registration.base_url
    await visit(page, f"{base}/")
    await _tab_to(page, lambda f: f["text"] == "Erklärung zur Barrierefreiheit")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/barrierefreiheit?lang=de")
    await check_page(page)
    assert await page.locator("h1").text_content() == "Erklärung zur Barrierefreiheit"
    assert await page.locator(f"a[href='mailto:{OPERATOR['accessibility_feedback_email']}']").count() == 1
    assert "Schlichtungsverfahren" in await page.locator("main").text_content()

    await _tab_to(page, lambda f: f["text"] == "English")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/barrierefreiheit?lang=en")
    await check_page(page)
    assert await page.locator("h1").text_content() == "Accessibility statement"
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator(f"a[href='mailto:{OPERATOR['accessibility_feedback_email']}']").count() == 1


async def test_the_links_page_in_german_and_english(public_site, page):
    event = await public_site.create_event([(3, 0)])
    base = public_site.registration.base_url
    await visit(page, f"{base}/events/{event['id']}/register")
    await page.click(f"a[href='/events/{event['id']}/links?lang=de']")
    await page.wait_for_url("**/links?lang=de")
    await check_page(page)

    await page.fill("#email", "not an address")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#error-summary")
    await check_page(page)
    assert await page.locator("#email").get_attribute("aria-describedby") == "email-error"

    await page.fill("#email", "nobody@example.org")
    await page.click("button[type=submit]")
    await page.wait_for_selector("text=Falls Sie angemeldet sind, ist eine E-Mail unterwegs.")
    await check_page(page)

    await visit(page, f"{base}/events/{event['id']}/links?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    await page.fill("#email", "nobody@example.org")
    await page.click("button[type=submit]")
    await page.wait_for_selector("text=If you are registered, an email is on its way.")
    await check_page(page)


PRIVACY = {"controller": "Handwerkskammer Musterstadt, Marktplatz 3, 34117 Musterstadt",
           "privacy_notice_url": "https://hwk.example.org/datenschutz", "privacy_notice_version": "2026-01",
           "privacy_notice_text": "Datenschutzhinweise für Veranstaltungen."}


async def test_my_data_and_its_erasure_by_keyboard_in_german_and_english(public_site, page):
    event = await public_site.create_event([(1, 1)], organisation=ANNOUNCEMENT["organisation"] | PRIVACY,
                                           retention_days=90)
    base = public_site.registration.base_url
    await visit(page, f"{base}/events/{event['id']}/register")
    form = await page.locator("main").text_content()
    assert f"Verantwortlich für Ihre Angaben: {PRIVACY['controller']}" in form
    assert "90 Tage nach dem Ende der Veranstaltung gelöscht" in form
    assert await page.locator(f"main a[href='{PRIVACY['privacy_notice_url']}']").count() == 1

    english = (await public_site.register(event, event["sessions"][0], wait=5, language="en")).json()
    await visit(page, english["links"]["my_data"])
    assert await page.locator("h1").text_content() == "My data"
    await visit(page, english["links"]["my_data"].replace("/data?", "/erase?"))

    registered = (await public_site.register(event, event["sessions"][0], wait=5, first_name="Jana")).json()
    await visit(page, registered["links"]["status"].replace("/api/registrations/", "/r/"))
    await _tab_to(page, lambda f: f["text"] == "Meine Daten")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/data?**")
    await check_page(page)
    assert "Jana" in await page.locator("#details").text_content()
    assert "2026-01" in await page.locator("#consent").text_content()
    await _tab_to(page, lambda f: f["text"] == "Meine Daten löschen")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/erase?**")
    await check_page(page)
    await _tab_to(page, lambda f: f["tag"] == "button")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("text=Ihre Daten sind gelöscht.")
    await check_page(page)
    await visit(page, registered["links"]["my_data"])  # what is left: the anonymous record
    assert "Jana" not in await page.locator("main").text_content()
    assert await page.locator("#erased").count() == 1
