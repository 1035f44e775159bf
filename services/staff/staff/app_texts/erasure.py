"""Erasing a person's data on their request: one registration, or every registration of an address."""

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "erase_title": "Anmeldung löschen",
        "erase_intro": "Sie löschen die Anmeldung von {name} zu „{event}“ auf Wunsch der Person (Art. 17 DSGVO).",
        "erase_consequence_cancel": "Ist die Anmeldung noch aktiv (bestätigt oder auf der Warteliste), wird sie "
                                    "zuerst storniert.",
        "erase_consequence_seat": "Ein frei werdender Platz geht an die nächste Person auf der Warteliste.",
        "erase_consequence_data": "Alle personenbezogenen Daten der Anmeldung werden sofort in allen Diensten "
                                  "gelöscht: Name, E-Mail-Adresse, Organisation, Telefon, Bemerkungen, die E-Mails an "
                                  "die Person und die Meldungen an die Ansprechpersonen.",
        "erase_consequence_kept": "Es bleibt nur ein anonymer Datensatz für die Statistik (Veranstaltung, Sitzung, "
                                  "Status, Zeitpunkte).",
        "erase_consequence_final": "Das kann nicht rückgängig gemacht werden.",
        "erase_button": "Endgültig löschen",
        "erase_back": "Zurück zur Anmeldung",
        "erased_title": "Anmeldung gelöscht",
        "erased_message": "Die personenbezogenen Daten der Anmeldung sind gelöscht.",
        "erased_participants": "Zur Teilnehmendenliste der Veranstaltung",
        "erasures_title": "Daten einer Person löschen",
        "erasures_intro": "Bittet eine Person um die Löschung ihrer Daten, löschen Sie hier alle ihre Anmeldungen auf "
                          "einmal, über alle Veranstaltungen: Administratorinnen und Administratoren alle, das "
                          "Veranstaltungsteam die der Veranstaltungen seiner Organisation.",
        "erasures_email": "E-Mail-Adresse der Person",
        "erasures_email_hint": "Die Adresse, mit der sie sich angemeldet hat; Groß- und Kleinschreibung zählt nicht.",
        "erasures_next": "Weiter",
        "erasures_confirm_title": "Alle Anmeldungen dieser Adresse löschen?",
        "erasures_confirm_intro": "Alle Anmeldungen mit der Adresse {email}, die Sie löschen dürfen, werden gelöscht. "
                                  "Für jede gilt:",
        "erasures_back": "Zurück zum Formular",
        "erasures_done_title": "Anmeldungen gelöscht",
        "erasures_done.0": "Keine Anmeldung gelöscht: Zu dieser Adresse gibt es keine Anmeldung (mehr), die Sie "
                           "löschen dürfen.",
        "erasures_done.1": "1 Anmeldung gelöscht.",
        "erasures_done.n": "{count} Anmeldungen gelöscht.",
        "erasures_done_scope": "Gelöscht wurden nur Anmeldungen zu Veranstaltungen, die Sie verwalten. Ist die Person "
                               "auch bei anderen Veranstaltern angemeldet, wenden Sie sich an diese.",
        "erasures_again": "Weitere Adresse löschen",
        "erasures_email_invalid": "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de.",
    },
    "en": {
        "erase_title": "Erase registration",
        "erase_intro": "You are erasing the registration of {name} for “{event}” at the person's request (Art. 17 GDPR).",
        "erase_consequence_cancel": "If the registration is still active (confirmed or on the waiting list), it is "
                                    "cancelled first.",
        "erase_consequence_seat": "A seat that becomes free goes to the next person on the waiting list.",
        "erase_consequence_data": "All personal data of the registration is deleted at once in every service: name, "
                                  "email address, organisation, phone, remarks, the emails to the person and the "
                                  "notices to the contact persons.",
        "erase_consequence_kept": "Only an anonymous record is kept for the statistics (event, session, status, "
                                  "times).",
        "erase_consequence_final": "This cannot be undone.",
        "erase_button": "Erase for good",
        "erase_back": "Back to the registration",
        "erased_title": "Registration erased",
        "erased_message": "The registration's personal data has been erased.",
        "erased_participants": "To the event's participant list",
        "erasures_title": "Erase a person's data",
        "erasures_intro": "When a person asks for their data to be erased, erase all their registrations here at "
                          "once, across events: admins every one, organisers those of their organisation's events.",
        "erasures_email": "The person's email address",
        "erasures_email_hint": "The address they registered with; upper and lower case do not matter.",
        "erasures_next": "Continue",
        "erasures_confirm_title": "Erase every registration of this address?",
        "erasures_confirm_intro": "Every registration with the address {email} that you may erase is erased. For each:",
        "erasures_back": "Back to the form",
        "erasures_done_title": "Registrations erased",
        "erasures_done.0": "No registration erased: there is no registration (left) with this address that you may "
                           "erase.",
        "erasures_done.1": "1 registration erased.",
        "erasures_done.n": "{count} registrations erased.",
        "erasures_done_scope": "Only registrations for events you manage were erased. If the person is registered "
                               "with other organisers too, contact them.",
        "erasures_again": "Erase another address",
        "erasures_email_invalid": "Please enter a valid email address, for example name@example.org.",
    },
}
