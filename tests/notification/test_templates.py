"""The email templates: every kind in both languages names its event, reads without anything loaded from
elsewhere, and an operator's folder replaces a built-in template without touching the code."""

import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from notification.adapters.registrations import FillLevel, KnownRegistration
from notification.adapters.templates import Templates
from notification.domain.model import RegistrationStatus
from notification.service_layer.composing import NoticeLine, SessionFill, SessionNotices
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language, staff_message_subject

from .scenario import EVENT, PLANNING, TITLE


def context(language: Language) -> dict:
    """What the service hands the templates (see `service_layer.composing`)."""
    participant = KnownRegistration(uuid4(), EVENT.id, PLANNING.id, RegistrationStatus.confirmed, "Anna", "Beispiel",
                                    "Firma GmbH", "anna@firma.example.de", language, "http://localhost/s",
                                    "http://localhost/c")
    noticed_at = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    return {
        "participant": participant, "event": EVENT, "session": PLANNING, "contacts": PLANNING.contact_persons,
        "details": {"waitlist_position": 2, "reason": "closed", "cancelled_by": "registrant",
                    "previous_status": "confirmed", "calendar_method": "REQUEST", "calendar_sequence": 1,
                    "status_url": "http://localhost/s", "cancel_url": "http://localhost/c"},
        "data_url": "http://localhost/d",
        "name": "Anna Beispiel",
        "previous": {"starts_at": EVENT.starts_at, "ends_at": EVENT.ends_at, "venue_name": "Altes Rathaus",
                     "venue_address": ""},
        "contact_name": "Petra Probe", "count": 1, "event_titles": [EVENT.title],
        "groups": [SessionNotices(EVENT, PLANNING, [NoticeLine(EmailKind.confirmed, participant, noticed_at)])],
        "sessions": [SessionFill(EVENT, PLANNING, FillLevel(confirmed=1, waitlisted=0))],
        "subject_line": staff_message_subject(EVENT.title, "Raumänderung"), "body": "Jetzt in Raum 2.14.",
    }


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_email_names_its_event_and_loads_nothing_from_elsewhere(kind: EmailKind, language: Language) -> None:
    rendered = Templates().render(kind, language, context(language))

    assert TITLE in rendered.subject and "\n" not in rendered.subject
    assert TITLE in rendered.text and TITLE in rendered.html
    assert f'<html lang="{language}">' in rendered.html and '<meta name="viewport"' in rendered.html
    assert not re.search(r"<img|\bsrc=|<link|url\(|<script", rendered.html, re.IGNORECASE)
    assert "\n\n\n" not in rendered.text


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", [k for k in EmailKind if k not in (EmailKind.contact_notice, EmailKind.contact_digest)])
def test_every_email_to_a_registrant_links_my_data_and_says_when_it_is_erased(kind: EmailKind,
                                                                               language: Language) -> None:
    rendered = Templates().render(kind, language, context(language))
    days = f"{EVENT.retention_days} {'Tage' if language is Language.de else 'days'}"

    assert "http://localhost/d" in rendered.text and 'href="http://localhost/d"' in rendered.html
    assert days in rendered.text and days in rendered.html


def test_the_html_escapes_what_comes_from_outside() -> None:
    data = context(Language.de)
    data["event"] = EVENT.model_copy(update={"title": "Handwerk & <Verwaltung>"})

    rendered = Templates().render(EmailKind.confirmed, Language.de, data)

    assert "Handwerk &amp; &lt;Verwaltung&gt;" in rendered.html
    assert "Handwerk & <Verwaltung>" in rendered.text and rendered.subject.endswith("Handwerk & <Verwaltung>")


def test_a_staff_message_keeps_its_paragraphs_and_line_breaks_and_escapes_the_rest() -> None:
    data = context(Language.de) | {"body": "Erste Zeile\nzweite <b>Zeile</b>\n\nNeuer Absatz & Schluss"}

    rendered = Templates().render(EmailKind.staff_message, Language.de, data)

    assert rendered.subject == f"[{TITLE}] Raumänderung"
    assert "<p>Erste Zeile<br>zweite &lt;b&gt;Zeile&lt;/b&gt;</p>" in rendered.html
    assert "<p>Neuer Absatz &amp; Schluss</p>" in rendered.html
    assert "Erste Zeile\nzweite <b>Zeile</b>\n\nNeuer Absatz & Schluss" in rendered.text


def test_an_operators_template_replaces_the_built_in_one_of_the_same_path(tmp_path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "confirmed.subject.txt").write_text("Sie sind dabei: {{ event.title }}\n")
    templates = Templates(tmp_path)

    rendered = templates.render(EmailKind.confirmed, Language.de, context(Language.de))

    assert rendered.subject == f"Sie sind dabei: {TITLE}"
    assert "Ihre Anmeldung ist bestätigt" in rendered.text  # the rest is still built in
    assert templates.render(EmailKind.confirmed, Language.en, context(Language.en)).subject.startswith("Registration")
