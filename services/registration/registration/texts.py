"""The public pages' words, German first. Two languages and a few dozen phrases: a table is enough."""

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "events": "Veranstaltungen",
        "no_events": "Zurzeit sind keine Veranstaltungen ausgeschrieben.",
        "deadline": "Anmeldeschluss",
        "register": "Anmelden",
        "register_for": "Anmeldung",
        "session": "Themenforum",
        "choose_session": "Bitte wählen Sie ein Themenforum",
        "seats_free": "{n} Plätze frei",
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
    },
    "en": {
        "events": "Events",
        "no_events": "There are no events open for registration at the moment.",
        "deadline": "Registration deadline",
        "register": "Register",
        "register_for": "Registration",
        "session": "Session",
        "choose_session": "Please choose a session",
        "seats_free": "{n} seats free",
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
    },
}


def texts(lang: str | None) -> dict[str, str]:
    return TEXTS.get(lang or "de", TEXTS["de"])
