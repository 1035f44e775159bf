"""The words people read from the staff service, German first: its pages and the reasons it refuses a
sign-in. A sign-in's refusal never tells whether the address has an account."""

from .app_texts import AREAS

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
        # Invitations, password resets, the second factor (TOTP).
        "time_format": "%d.%m.%Y, %H:%M Uhr",
        "form_errors": "Bitte prüfen Sie Ihre Angaben:",
        "link_invalid_title": "Link ungültig",
        "sign_in_again": "Noch einmal anmelden",
        "password_set_title": "Passwort gespeichert",
        "error.email.missing": "Bitte geben Sie Ihre E-Mail-Adresse ein.",
        "invitation_subject": "Einladung zu Treffpunkt: Legen Sie Ihr Passwort fest",
        "invitation_body": "Guten Tag {name},\n\nSie sind zu Treffpunkt eingeladen, der Anwendung für die "
                           "Veranstaltungen von {sender}. Legen Sie über diesen Link Ihr Passwort fest:\n\n{link}\n\n"
                           "Der Link funktioniert einmal und ist bis {expires} gültig. Danach melden Sie sich unter "
                           "{sign_in} mit Ihrer E-Mail-Adresse {email} und diesem Passwort an.\n\n"
                           "Haben Sie keine Einladung erwartet? Dann können Sie diese E-Mail ignorieren.\n",
        "reset_subject": "Treffpunkt: Passwort zurücksetzen",
        "reset_body": "Guten Tag {name},\n\nfür Ihr Konto bei Treffpunkt ({email}) wurde ein neues Passwort "
                      "angefordert. Über diesen Link legen Sie es fest:\n\n{link}\n\n"
                      "Der Link funktioniert einmal und ist bis {expires} gültig. Mit dem neuen Passwort werden Sie "
                      "überall sonst abgemeldet.\n\nHaben Sie das nicht angefordert? Dann ignorieren Sie diese "
                      "E-Mail; Ihr Passwort bleibt, wie es ist.\n",
        "set_password_title": "Passwort festlegen",
        "set_password_intro": "Legen Sie das Passwort für Ihr Konto {email} fest.",
        "new_password": "Neues Passwort",
        "new_password_hint": "Mindestens {min} Zeichen.",
        "repeat_password": "Passwort wiederholen",
        "set_password_submit": "Passwort speichern",
        "password_set": "Ihr Passwort ist gespeichert. Sie können sich jetzt anmelden.",
        "link_invalid": "Dieser Link ist ungültig, schon benutzt oder abgelaufen.",
        "ask_new_link": "Neuen Link anfordern",
        "error.password.too_short": "Das Passwort ist zu kurz: mindestens {min} Zeichen.",
        "error.password.too_long": "Das Passwort ist zu lang: höchstens {max} Zeichen.",
        "error.password_repeat.mismatch": "Die beiden Passwörter stimmen nicht überein.",
        "reset_title": "Passwort vergessen",
        "reset_intro": "Geben Sie die E-Mail-Adresse Ihres Kontos an. Wir schicken Ihnen einen Link, mit dem Sie ein "
                       "neues Passwort festlegen.",
        "reset_submit": "Link anfordern",
        "reset_sent": "Falls es ein Konto mit dieser Adresse gibt, ist eine E-Mail mit einem Link unterwegs. Der Link "
                      "ist eine Stunde gültig.",
        "forgot_password": "Passwort vergessen?",
        "totp_title": "Zweiter Faktor (Einmalcode)",
        "totp_intro": "Richten Sie in einer Authenticator-App (zum Beispiel FreeOTP, Aegis oder Google Authenticator) "
                      "ein neues Konto ein: Scannen Sie den QR-Code oder geben Sie den Schlüssel ein. Bestätigen Sie "
                      "dann mit dem sechsstelligen Code, den die App zeigt.",
        "totp_required": "Für Konten mit der Rolle Admin ist ein zweiter Faktor vorgeschrieben. Bitte richten Sie ihn "
                         "ein, bevor Sie weiterarbeiten.",
        "totp_qr": "QR-Code zum Einrichten in der Authenticator-App",
        "totp_secret": "Schlüssel zum Eintippen",
        "totp_uri": "Einrichtungs-Adresse (otpauth)",
        "totp_code": "Sechsstelliger Code",
        "totp_confirm": "Bestätigen",
        "totp_enrolled": "Der zweite Faktor ist eingerichtet. Bei jeder Anmeldung fragen wir nun nach einem Code.",
        "totp_already": "Für Ihr Konto ist ein zweiter Faktor eingerichtet.",
        "totp_sign_in_title": "Anmelden: Einmalcode",
        "totp_sign_in_intro": "Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein.",
        "totp_sign_in_submit": "Anmelden",
        "error.code.wrong": "Der Code stimmt nicht oder wurde schon benutzt. Bitte geben Sie den aktuellen Code ein.",
        "totp_expired": "Die Anmeldung hat zu lange gedauert. Bitte melden Sie sich noch einmal an.",
        "too_many_codes": "Zu viele falsche Codes. Bitte versuchen Sie es in {minutes} Minuten noch einmal.",
        "too_many_resets": "Zu viele Anfragen. Bitte versuchen Sie es in {minutes} Minuten noch einmal.",
        "form_expired_password": "Das Formular war nicht mehr gültig. Bitte senden Sie es noch einmal ab.",
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
        # Invitations, password resets, the second factor (TOTP).
        "time_format": "%Y-%m-%d, %H:%M (Berlin time)",
        "form_errors": "Please check what you entered:",
        "link_invalid_title": "Link not valid",
        "sign_in_again": "Sign in again",
        "password_set_title": "Password saved",
        "error.email.missing": "Please enter your email address.",
        "invitation_subject": "Invitation to Treffpunkt: set your password",
        "invitation_body": "Hello {name},\n\nyou are invited to Treffpunkt, the application for the events of "
                           "{sender}. Set your password through this link:\n\n{link}\n\n"
                           "The link works once and is valid until {expires}. Then sign in at {sign_in} with your "
                           "email address {email} and that password.\n\n"
                           "Not expecting an invitation? Then you can ignore this email.\n",
        "reset_subject": "Treffpunkt: reset your password",
        "reset_body": "Hello {name},\n\na new password was requested for your Treffpunkt account ({email}). Set it "
                      "through this link:\n\n{link}\n\n"
                      "The link works once and is valid until {expires}. The new password signs you out everywhere "
                      "else.\n\nDid not ask for it? Then ignore this email; your password stays as it is.\n",
        "set_password_title": "Set your password",
        "set_password_intro": "Set the password of your account {email}.",
        "new_password": "New password",
        "new_password_hint": "At least {min} characters.",
        "repeat_password": "Repeat the password",
        "set_password_submit": "Save password",
        "password_set": "Your password is saved. You can sign in now.",
        "link_invalid": "This link is not valid, already used or expired.",
        "ask_new_link": "Ask for a new link",
        "error.password.too_short": "The password is too short: at least {min} characters.",
        "error.password.too_long": "The password is too long: at most {max} characters.",
        "error.password_repeat.mismatch": "The two passwords do not match.",
        "reset_title": "Forgot your password",
        "reset_intro": "Enter your account's email address. We will send you a link to set a new password.",
        "reset_submit": "Send link",
        "reset_sent": "If there is an account with this address, an email with a link is on its way. The link is "
                      "valid for an hour.",
        "forgot_password": "Forgot your password?",
        "totp_title": "Second factor (one-time code)",
        "totp_intro": "Add a new account in an authenticator app (such as FreeOTP, Aegis or Google Authenticator): "
                      "scan the QR code or type in the key. Then confirm with the six-digit code the app shows.",
        "totp_required": "Accounts with the admin role must use a second factor. Please set it up before you go on.",
        "totp_qr": "QR code to set up the authenticator app",
        "totp_secret": "Key to type in",
        "totp_uri": "Setup address (otpauth)",
        "totp_code": "Six-digit code",
        "totp_confirm": "Confirm",
        "totp_enrolled": "The second factor is set up. From now on every sign-in asks for a code.",
        "totp_already": "Your account has a second factor.",
        "totp_sign_in_title": "Sign in: one-time code",
        "totp_sign_in_intro": "Enter the six-digit code from your authenticator app.",
        "totp_sign_in_submit": "Sign in",
        "error.code.wrong": "The code is wrong or was used already. Please enter the current code.",
        "totp_expired": "The sign-in took too long. Please sign in again.",
        "too_many_codes": "Too many wrong codes. Please try again in {minutes} minutes.",
        "too_many_resets": "Too many requests. Please try again in {minutes} minutes.",
        "form_expired_password": "The form was no longer valid. Please send it again.",
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


def _merged(lang: str) -> dict[str, str]:
    merged = dict(TEXTS[lang])
    for area in AREAS:
        merged.update(area[lang])
    return merged


# The sign-in's words and each staff app area's (see `app_texts`), merged once.
_ALL = {lang: _merged(lang) for lang in TEXTS}


def texts(lang: str | None) -> dict[str, str]:
    """The words in `lang`; German for a language we do not speak."""
    return _ALL.get(lang or "de", _ALL["de"])
