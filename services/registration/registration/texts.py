"""The words people read from this service, German first: the pages, the reasons a request is
refused and what is wrong with a field (`error.<field>.<type>`, else `error.<type>`, pydantic's error
types), for the pages and the JSON API alike. Two languages and some dozen phrases: a table is enough."""

from collections.abc import Mapping
from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "events": "Veranstaltungen",
        "my_data": "Meine Daten",
        "my_data_intro": "Das ist alles, was wir zu Ihrer Anmeldung speichern. Sie können es herunterladen und "
                         "löschen.",
        "my_data_details": "Ihre Angaben",
        "data_event": "Veranstaltung",
        "data_phone": "Telefon",
        "data_remarks": "Bemerkungen",
        "data_language": "Sprache",
        "data_status": "Status",
        "data_registered_at": "Angemeldet am",
        "data_none": "keine Angabe",
        "my_data_consent": "Ihre Einwilligung",
        "consent_notice": "Datenschutzhinweise",
        "consent_version": "Fassung",
        "consent_sha256": "SHA-256 des Textes",
        "consent_controller": "Verantwortlich",
        "consent_at": "Eingewilligt am",
        "my_data_history": "Verlauf Ihrer Anmeldung",
        "my_data_emails": "E-Mails an Sie",
        "my_data_no_emails": "Bisher wurde keine E-Mail versandt.",
        "email_sent": "versandt",
        "email_failed": "nicht zustellbar",
        "my_data_where": "Wo Ihre Angaben sonst liegen",
        "my_data_where_text": "Der Benachrichtigungsdienst hält für den Versand Ihrer E-Mails Ihren Namen, Ihre "
                              "Organisation, Ihre E-Mail-Adresse und Ihre Sprache sowie das Versandprotokoll. Die "
                              "Ansprechpersonen Ihres Themenforums erhalten Ihren Namen und Ihre Organisation per "
                              "E-Mail. Nachrichten zwischen unseren Diensten, die Ihre Angaben enthalten, werden "
                              "höchstens 7 Tage aufbewahrt (nicht zustellbare höchstens 14 Tage). Mit dem Löschen "
                              "hier werden auch diese Kopien gelöscht.",
        "retention_note": "Ihre Angaben werden {days} Tage nach dem Ende der Veranstaltung gelöscht, am {date}.",
        "retention_form": "Ihre Angaben werden {days} Tage nach dem Ende der Veranstaltung gelöscht. Nachrichten "
                          "zwischen unseren Diensten, die sie enthalten, werden höchstens 7 Tage aufbewahrt (nicht "
                          "zustellbare höchstens 14 Tage).",
        "controller": "Verantwortlich für Ihre Angaben",
        "download_json": "Alle Angaben als JSON herunterladen",
        "erase": "Meine Daten löschen",
        "erase_question": "Möchten Sie Ihre Daten wirklich löschen? Eine bestehende Anmeldung wird dabei storniert "
                          "und Ihr Platz weitergegeben. Das lässt sich nicht rückgängig machen.",
        "erase_button": "Ja, meine Daten endgültig löschen",
        "erased_done": "Ihre Daten sind gelöscht. Es bleibt nur ein anonymer Eintrag für die Statistik (ohne Namen, "
                       "Adresse oder andere Angaben zu Ihrer Person).",
        "status_erased": "Die Angaben zu dieser Anmeldung sind gelöscht.",
        "state.pending": "eingegangen",
        "state.confirmed": "bestätigt",
        "state.waitlisted": "auf der Warteliste",
        "state.rejected": "nicht möglich",
        "state.cancelled": "storniert",
        "no_events": "Zurzeit sind keine Veranstaltungen ausgeschrieben.",
        "deadline": "Anmeldeschluss",
        "register": "Anmelden",
        "register_for": "Anmeldung",
        "session": "Themenforum",
        "choose_session": "Bitte wählen Sie ein Themenforum",
        "seats_free": "{n} Plätze frei",
        "one_seat_free": "1 Platz frei",
        "full_waitlist": "ausgebucht – Anmeldung auf die Warteliste möglich",
        "full": "ausgebucht",
        "first_name": "Vorname",
        "last_name": "Nachname",
        "email": "E-Mail",
        "organisation": "Unternehmen / Institution",
        "phone": "Telefon (optional)",
        "remarks": "Bemerkungen (optional)",
        "consent": "Ich bin einverstanden, dass meine Angaben zur Organisation dieser Veranstaltung verarbeitet "
                   "und an die Ansprechpersonen meines Themenforums weitergegeben werden. Ich kann meine "
                   "Anmeldung jederzeit über den Link in der Bestätigungsmail stornieren.",
        "submit": "Verbindlich anmelden",
        "required": "Pflichtfeld",
        "errors": "Bitte prüfen Sie Ihre Angaben:",
        "status_confirmed": "Ihre Anmeldung ist bestätigt.",
        "status_waitlisted": "Das Themenforum ist ausgebucht. Sie stehen auf Platz {position} der Warteliste.",
        "status_rejected": "Eine Anmeldung ist leider nicht möglich.",
        "status_pending": "Ihre Anmeldung ist eingegangen; der Platz wird gerade vergeben.",
        "status_cancelled": "Diese Anmeldung ist storniert.",
        "reason_full": "Das Themenforum und seine Warteliste sind voll.",
        "reason_closed": "Die Anmeldung ist geschlossen.",
        "reason_deadline_passed": "Der Anmeldeschluss ist vorbei.",
        "reason_unknown_session": "Das Themenforum gibt es nicht mehr.",
        "email_follows": "Sie erhalten eine E-Mail mit allen Angaben und einem Link zum Stornieren.",
        "status_link": "Status Ihrer Anmeldung",
        "cancel": "Anmeldung stornieren",
        "cancel_question": "Möchten Sie Ihre Anmeldung wirklich stornieren?",
        "cancel_button": "Ja, stornieren",
        "cancelled_done": "Ihre Anmeldung ist storniert. Sie erhalten eine Bestätigung per E-Mail.",
        "invalid_link": "Dieser Link ist ungültig.",
        "links_title": "Links zur Anmeldung erneut senden",
        "links_intro": "Sie finden die E-Mail mit den Links zu Ihrer Anmeldung nicht mehr? Geben Sie die E-Mail-Adresse "
                       "an, mit der Sie sich angemeldet haben: Wir schicken die Links noch einmal, und nur an diese "
                       "Adresse.",
        "links_submit": "Links senden",
        "links_sent": "Falls Sie angemeldet sind, ist eine E-Mail unterwegs.",
        "links_lost": "Anmeldung schon abgeschickt und die E-Mail verloren? Links erneut senden",
        "links_again": "Links zu Ihrer Anmeldung erneut anfordern",
        "other_language": "English",
        "back": "Zurück zur Übersicht",
        "skip_to_content": "Zum Inhalt springen",
        "language": "Sprache",
        "organisers": "Veranstalter",
        "sessions": "Themenforen",
        "registration_closed": "Die Anmeldung ist geschlossen.",
        "what_to_bring": "Bitte mitbringen",
        "contact_persons": "Ansprechpersonen",
        "phone_short": "Tel.",
        "error_title": "Fehler",
        "privacy_before_consent": "Wie wir Ihre Angaben verarbeiten, steht in den",
        "privacy_notice": "Datenschutzhinweisen",
        "imprint": "Impressum",
        "accessibility_statement": "Erklärung zur Barrierefreiheit",
        "message_title": "Hinweis",
        "calendar_feeds": "Termine abonnieren",
        "new_window": "(öffnet in einem neuen Fenster)",
        "calendar_feeds_hint": "Adressen für Ihr Kalenderprogramm (iCalendar); neue und geänderte Termine erscheinen dort von selbst.",
        "calendar_all": "Alle Veranstaltungen",
        "calendar_of": "Veranstaltungen von {name}",
        "a11y_scope": "Diese Erklärung gilt für die Anmeldeseiten unter {site}: die Übersicht der Veranstaltungen, "
                      "das Anmeldeformular, die Bestätigungs-, Status- und Stornierungsseiten. Der Betreiber ist "
                      "bemüht, sie im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) "
                      "barrierefrei zugänglich zu machen.",
        "a11y_status_heading": "Stand der Vereinbarkeit mit den Anforderungen",
        "a11y_status": "Die Seiten sind mit den Anforderungen der BITV 2.0 (WCAG 2.1, Stufe AA) vereinbar. "
                       "Barrieren, die uns bekannt werden, beheben wir.",
        "a11y_method_heading": "Erstellung dieser Erklärung",
        "a11y_method": "Die Erklärung beruht auf einer Selbstbewertung: Jede Änderung wird in einem Browser (Chromium) "
                       "mit axe-core gegen die Regeln der WCAG 2.1 A und AA geprüft; die Anmeldung wird dabei "
                       "allein mit der Tastatur durchlaufen, und die Seiten werden bei 200 % Vergrößerung geprüft.",
        "a11y_feedback_heading": "Feedback und Kontakt",
        "a11y_feedback": "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen, oder benötigen Sie Inhalte in "
                         "einer anderen Form? Schreiben Sie uns; wir antworten innerhalb von zwei Wochen.",
        "a11y_enforcement_heading": "Schlichtungsverfahren",
        "a11y_enforcement": "Erhalten Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort, können Sie sich an "
                            "die Schlichtungsstelle wenden. Das Verfahren ist kostenlos; Sie brauchen keinen "
                            "Rechtsbeistand.",
        "no_such_event": "Diese Veranstaltung gibt es nicht oder sie ist nicht zur Anmeldung ausgeschrieben.",
        "refused.no_event": "Es gibt keine Veranstaltung mit dieser ID, für die man sich anmelden kann.",
        "refused.other_session": "Dieses Themenforum gehört nicht zu der Veranstaltung.",
        "refused.event_cancelled": "Die Veranstaltung wurde abgesagt.",
        "refused.closed": "Die Anmeldung zu dieser Veranstaltung ist geschlossen.",
        "refused.deadline_passed": "Der Anmeldeschluss für diese Veranstaltung ist vorbei.",
        "refused.already_registered": "Diese E-Mail-Adresse ist für diese Veranstaltung bereits angemeldet. In der "
                                      "Bestätigungsmail an diese Adresse stehen die Links, um die Anmeldung anzusehen "
                                      "oder zu stornieren.",
        "refused.idempotency_key_reused": "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
        "refused.unknown_registration": "Diese Anmeldung gibt es nicht.",
        "error": "Dieser Wert ist ungültig.",
        "error.missing": "Bitte füllen Sie dieses Feld aus.",
        "error.string_too_short": "Bitte füllen Sie dieses Feld aus.",
        "error.string_too_long": "Bitte höchstens {max_length} Zeichen.",
        "error.string_pattern_mismatch": "Bitte ohne Steuerzeichen und ohne unsichtbare Zeichen (wie Zeichen für die "
                                         "Textrichtung oder Zeichen ohne Breite).",
        "error.string_type": "Bitte als Text angeben.",
        "error.string_unicode": "Bitte als gültigen Unicode-Text angeben.",
        "error.uuid_parsing": "Das ist keine gültige ID.",
        "error.uuid_type": "Das ist keine gültige ID.",
        "error.extra_forbidden": "Dieses Feld gibt es nicht.",
        "error.json_invalid": "Der Inhalt ist kein gültiges JSON.",
        "error.model_attributes_type": "Erwartet wird ein JSON-Objekt mit den Angaben zur Anmeldung.",
        "error.dict_type": "Erwartet wird ein JSON-Objekt mit den Angaben zur Anmeldung.",
        "error.float_parsing": "Bitte eine Zahl angeben.",
        "error.float_type": "Bitte eine Zahl angeben.",
        "error.finite_number": "Bitte eine endliche Zahl angeben.",
        "error.greater_than_equal": "Bitte mindestens {ge} angeben.",
        "error.bool_type": "Bitte true oder false angeben.",
        "error.bool_parsing": "Bitte true oder false angeben.",
        "error.email.value_error": "Bitte geben Sie eine gültige E-Mail-Adresse an.",
        "error.phone.string_pattern_mismatch": "Bitte nur eine Telefonnummer: Ziffern, Leerzeichen und + - / ( ).",
        "error.session_id.missing": "Bitte wählen Sie ein Themenforum.",
        "error.session_id.uuid_parsing": "Bitte wählen Sie ein Themenforum.",
        "error.language.enum": "Bitte de oder en angeben.",
        "error.consent.missing": "Bitte stimmen Sie der Verarbeitung Ihrer Angaben zu; ohne Einwilligung ist keine "
                                 "Anmeldung möglich.",
        "error.consent.literal_error": "Bitte stimmen Sie der Verarbeitung Ihrer Angaben zu; ohne Einwilligung ist "
                                       "keine Anmeldung möglich.",
        "error.consent.bool_type": "Die Einwilligung ist der JSON-Wert true (nicht 1 und nicht \"true\").",
    },
    "en": {
        "events": "Events",
        "my_data": "My data",
        "my_data_intro": "This is everything we keep about your registration. You can download it and erase it.",
        "my_data_details": "Your details",
        "data_event": "Event",
        "data_phone": "Phone",
        "data_remarks": "Remarks",
        "data_language": "Language",
        "data_status": "Status",
        "data_registered_at": "Registered on",
        "data_none": "not given",
        "my_data_consent": "Your consent",
        "consent_notice": "Privacy notice",
        "consent_version": "Version",
        "consent_sha256": "SHA-256 of its text",
        "consent_controller": "Controller",
        "consent_at": "Agreed on",
        "my_data_history": "History of your registration",
        "my_data_emails": "Emails to you",
        "my_data_no_emails": "No email has been sent yet.",
        "email_sent": "sent",
        "email_failed": "could not be delivered",
        "my_data_where": "Where else your details are",
        "my_data_where_text": "To send your emails, the notification service keeps your name, organisation, email "
                              "address and language, and the delivery log. The contact persons of your session get "
                              "your name and organisation by email. Messages between our services that contain your "
                              "details are kept for at most 7 days (undeliverable ones for at most 14 days). Erasing "
                              "here erases these copies too.",
        "retention_note": "Your details are erased {days} days after the end of the event, on {date}.",
        "retention_form": "Your details are erased {days} days after the end of the event. Messages between our "
                          "services that contain them are kept for at most 7 days (undeliverable ones for at most "
                          "14 days).",
        "controller": "Controller of your details",
        "download_json": "Download all details as JSON",
        "erase": "Erase my data",
        "erase_question": "Do you really want to erase your data? An active registration is cancelled and your seat "
                          "passed on. This cannot be undone.",
        "erase_button": "Yes, erase my data for good",
        "erased_done": "Your data is erased. Only an anonymous entry stays for the statistics (no name, address or "
                       "other details about you).",
        "status_erased": "The details of this registration are erased.",
        "state.pending": "received",
        "state.confirmed": "confirmed",
        "state.waitlisted": "on the waiting list",
        "state.rejected": "not possible",
        "state.cancelled": "cancelled",
        "no_events": "There are no events open for registration at the moment.",
        "deadline": "Registration deadline",
        "register": "Register",
        "register_for": "Registration",
        "session": "Session",
        "choose_session": "Please choose a session",
        "seats_free": "{n} seats free",
        "one_seat_free": "1 seat free",
        "full_waitlist": "full – you can join the waiting list",
        "full": "full",
        "first_name": "First name",
        "last_name": "Last name",
        "email": "Email",
        "organisation": "Company / institution",
        "phone": "Phone (optional)",
        "remarks": "Remarks (optional)",
        "consent": "I agree that my details are processed to organise this event and passed on to the contact "
                   "persons of my session. I can cancel my registration at any time with the link in the "
                   "confirmation email.",
        "submit": "Register",
        "required": "required",
        "errors": "Please check your details:",
        "status_confirmed": "Your registration is confirmed.",
        "status_waitlisted": "The session is full. You are number {position} on the waiting list.",
        "status_rejected": "Registration is not possible, unfortunately.",
        "status_pending": "Your registration has arrived; your seat is being allocated.",
        "status_cancelled": "This registration has been cancelled.",
        "reason_full": "The session and its waiting list are full.",
        "reason_closed": "Registration is closed.",
        "reason_deadline_passed": "The registration deadline has passed.",
        "reason_unknown_session": "The session no longer exists.",
        "email_follows": "You will receive an email with all details and a link to cancel.",
        "status_link": "Status of your registration",
        "cancel": "Cancel registration",
        "cancel_question": "Do you really want to cancel your registration?",
        "cancel_button": "Yes, cancel",
        "cancelled_done": "Your registration has been cancelled. You will receive a confirmation by email.",
        "invalid_link": "This link is not valid.",
        "links_title": "Send my registration's links again",
        "links_intro": "You cannot find the email with the links to your registration? Give the email address you "
                       "registered with: we send the links again, and only to that address.",
        "links_submit": "Send the links",
        "links_sent": "If you are registered, an email is on its way.",
        "links_lost": "Registered already and lost the email? Send the links again",
        "links_again": "Ask for your registration's links again",
        "other_language": "Deutsch",
        "back": "Back to the overview",
        "skip_to_content": "Skip to content",
        "language": "Language",
        "organisers": "Organisers",
        "sessions": "Sessions",
        "registration_closed": "Registration is closed.",
        "what_to_bring": "Please bring",
        "contact_persons": "Contact persons",
        "phone_short": "phone",
        "error_title": "Error",
        "privacy_before_consent": "How we process your details is described in the",
        "privacy_notice": "privacy notice",
        "imprint": "Imprint",
        "accessibility_statement": "Accessibility statement",
        "message_title": "Notice",
        "calendar_feeds": "Subscribe to the dates",
        "new_window": "(opens in a new window)",
        "calendar_feeds_hint": "Addresses for your calendar program (iCalendar); new and changed dates appear there by themselves.",
        "calendar_all": "All events",
        "calendar_of": "Events by {name}",
        "a11y_scope": "This statement applies to the registration pages at {site}: the list of events, the "
                      "registration form, and the confirmation, status and cancellation pages. The operator "
                      "strives to make them accessible in accordance with the German Barrier-Free Information "
                      "Technology Ordinance (BITV 2.0).",
        "a11y_status_heading": "Compliance status",
        "a11y_status": "The pages comply with the requirements of BITV 2.0 (WCAG 2.1, level AA). We remove any "
                       "barrier that we learn of.",
        "a11y_method_heading": "Preparation of this statement",
        "a11y_method": "This statement is based on a self-assessment: every change is checked in a browser "
                       "(Chromium) with axe-core against the WCAG 2.1 A and AA rules; a registration is completed "
                       "with the keyboard alone, and the pages are checked at 200% zoom.",
        "a11y_feedback_heading": "Feedback and contact",
        "a11y_feedback": "Have you come across a barrier, or do you need content in another form? Write to us; we "
                         "answer within two weeks.",
        "a11y_enforcement_heading": "Enforcement procedure",
        "a11y_enforcement": "If you do not receive a satisfactory answer to your feedback, you can turn to the "
                            "conciliation body. The procedure is free of charge; you need no legal counsel.",
        "no_such_event": "This event does not exist or is not open for registration.",
        "refused.no_event": "There is no event with this id open for registration.",
        "refused.other_session": "This session does not belong to the event.",
        "refused.event_cancelled": "The event has been cancelled.",
        "refused.closed": "Registration for this event is closed.",
        "refused.deadline_passed": "The registration deadline for this event has passed.",
        "refused.already_registered": "This email address is already registered for this event. The confirmation "
                                      "email sent to it holds the links to see or cancel that registration.",
        "refused.idempotency_key_reused": "This Idempotency-Key was used for a different request.",
        "refused.unknown_registration": "There is no such registration.",
        "error": "This value is not valid.",
        "error.missing": "Please fill in this field.",
        "error.string_too_short": "Please fill in this field.",
        "error.string_too_long": "Please use at most {max_length} characters.",
        "error.string_pattern_mismatch": "Please leave out control characters and invisible characters (such as "
                                         "text direction marks or zero-width characters).",
        "error.string_type": "Please give this as text.",
        "error.string_unicode": "Please give this as valid Unicode text.",
        "error.uuid_parsing": "This is not a valid id.",
        "error.uuid_type": "This is not a valid id.",
        "error.extra_forbidden": "There is no such field.",
        "error.json_invalid": "The body is not valid JSON.",
        "error.model_attributes_type": "Expected a JSON object with the registration's details.",
        "error.dict_type": "Expected a JSON object with the registration's details.",
        "error.float_parsing": "Please give a number.",
        "error.float_type": "Please give a number.",
        "error.finite_number": "Please give a finite number.",
        "error.greater_than_equal": "Please give at least {ge}.",
        "error.bool_type": "Please give true or false.",
        "error.bool_parsing": "Please give true or false.",
        "error.email.value_error": "Please enter a valid email address.",
        "error.phone.string_pattern_mismatch": "Please enter a phone number only: digits, spaces and + - / ( ).",
        "error.session_id.missing": "Please choose a session.",
        "error.session_id.uuid_parsing": "Please choose a session.",
        "error.language.enum": "Please give de or en.",
        "error.consent.missing": "Please agree to the processing of your details; registration is not possible "
                                 "without it.",
        "error.consent.literal_error": "Please agree to the processing of your details; registration is not "
                                       "possible without it.",
        "error.consent.bool_type": "Consent is the JSON value true (not 1, not \"true\").",
    },
}


def texts(lang: str | None) -> dict[str, str]:
    """The words in `lang`; German for a language we do not speak (a page's `?lang=fr`, say)."""
    return TEXTS.get(lang or "de", TEXTS["de"])


def validation_message(lang: str, error: Mapping[str, Any], field: str | int | None) -> str:
    """What is wrong with `field`, for a person: one of pydantic's errors in `lang`. Never pydantic's own
    English text, and never the input (which may be large, or personal)."""
    words = texts(lang)
    kind = error.get("type", "")
    template = words.get(f"error.{field}.{kind}") or words.get(f"error.{kind}") or words["error"]
    context = error.get("ctx") or {}
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return words["error"]
