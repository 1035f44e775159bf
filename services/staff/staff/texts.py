"""The words people read from the staff service, German first: its pages and the reasons it refuses a
sign-in. A sign-in's refusal never tells whether the address has an account."""

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "app_name": "Treffpunkt für Mitarbeitende",
        "skip_to_content": "Zum Inhalt springen",
        "other_language": "English",
        "sign_in": "Anmelden",
        "sign_in_title": "Anmeldung für Mitarbeitende",
        "email": "E-Mail",
        "password": "Passwort",
        "sign_in_refused": "E-Mail-Adresse oder Passwort sind nicht richtig. Bitte versuchen Sie es noch einmal.",
        "too_many_attempts": "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in {minutes} "
                             "Minuten noch einmal.",
        "form_expired": "Das Formular war nicht mehr gültig. Bitte melden Sie sich noch einmal an.",
        "field_missing": "Bitte geben Sie E-Mail-Adresse und Passwort ein.",
        "error_title": "Die Anmeldung hat nicht geklappt",
        "signed_in_as": "Angemeldet als",
        "memberships": "Ihre Rollen",
        "no_memberships": "Sie haben noch keine Rolle. Bitte wenden Sie sich an die Verwaltung der Zugänge.",
        "role_admin": "Verwaltung (alle Rechte)",
        "role_organiser": "Veranstalter der Organisation {id}",
        "role_contact": "Ansprechperson {id}",
        "sign_out": "Abmelden",
        "signed_out": "Sie sind abgemeldet.",
        "error_title_sign_out": "Die Abmeldung hat nicht geklappt",
        "form_expired_sign_out": "Das Formular war nicht mehr gültig. Bitte melden Sie sich von der Startseite aus ab.",
        "back": "Zur Startseite",
        "oidc_or": "Oder mit dem Zugang Ihrer Verwaltung",
        "oidc_sign_in": "Mit {name} anmelden",
        "oidc_error_title": "Die Anmeldung hat nicht geklappt",
        "oidc_back_to_sign_in": "Zur Anmeldung",
        "oidc_not_configured": "Die Anmeldung über einen Identitätsanbieter ist hier nicht eingerichtet.",
        "oidc_unavailable": "Der Identitätsanbieter ist gerade nicht erreichbar. Bitte versuchen Sie es später noch "
                            "einmal.",
        "oidc_refused_state": "Die Anmeldung war abgelaufen oder wurde schon verwendet. Bitte melden Sie sich noch "
                              "einmal an.",
        "oidc_refused_provider": "Die Antwort des Identitätsanbieters konnte nicht bestätigt werden. Bitte melden "
                                 "Sie sich noch einmal an.",
        "oidc_refused_identity": "Der Identitätsanbieter hat keine bestätigte E-Mail-Adresse übermittelt. Bitte "
                                 "wenden Sie sich an die Verwaltung der Zugänge.",
        "oidc_refused_account": "Mit diesem Zugang gibt es kein aktives Konto bei Treffpunkt. Bitte wenden Sie sich "
                                "an die Verwaltung der Zugänge.",
    },
    "en": {
        "app_name": "Treffpunkt for staff",
        "skip_to_content": "Skip to content",
        "other_language": "Deutsch",
        "sign_in": "Sign in",
        "sign_in_title": "Staff sign-in",
        "email": "Email",
        "password": "Password",
        "sign_in_refused": "The email address or the password is not right. Please try again.",
        "too_many_attempts": "Too many failed sign-ins. Please try again in {minutes} minutes.",
        "form_expired": "The form was no longer valid. Please sign in again.",
        "field_missing": "Please enter your email address and password.",
        "error_title": "Signing in did not work",
        "signed_in_as": "Signed in as",
        "memberships": "Your roles",
        "no_memberships": "You have no role yet. Please ask whoever manages the accounts.",
        "role_admin": "Administration (all rights)",
        "role_organiser": "Organiser for organisation {id}",
        "role_contact": "Contact person {id}",
        "sign_out": "Sign out",
        "signed_out": "You are signed out.",
        "error_title_sign_out": "Signing out did not work",
        "form_expired_sign_out": "The form was no longer valid. Please sign out from the start page.",
        "back": "To the start page",
        "oidc_or": "Or with your organisation's sign-in",
        "oidc_sign_in": "Sign in with {name}",
        "oidc_error_title": "Signing in did not work",
        "oidc_back_to_sign_in": "To the sign-in",
        "oidc_not_configured": "Signing in through an identity provider is not set up here.",
        "oidc_unavailable": "The identity provider cannot be reached just now. Please try again later.",
        "oidc_refused_state": "The sign-in had expired or was used already. Please sign in again.",
        "oidc_refused_provider": "The identity provider's answer could not be confirmed. Please sign in again.",
        "oidc_refused_identity": "The identity provider sent no confirmed email address. Please ask whoever "
                                 "manages the accounts.",
        "oidc_refused_account": "There is no active Treffpunkt account for this sign-in. Please ask whoever "
                                "manages the accounts.",
    },
}


def texts(lang: str | None) -> dict[str, str]:
    """The words in `lang`; German for a language we do not speak."""
    return TEXTS.get(lang or "de", TEXTS["de"])
