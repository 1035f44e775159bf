"""The optional second factor: time-based one-time passwords (TOTP, RFC 6238) through pyotp, as every
authenticator app speaks them (SHA-1, 6 digits, 30-second steps).

A code is accepted one step early or late (clocks of phones drift), and each step at most once per
account: the step of the last accepted code is kept, and a code of that step or an earlier one is
refused, so a code seen over someone's shoulder cannot be used again within its window (RFC 6238, 5.2).
The rules are here, free of I/O; the account's secret and last step live in the database."""

import hmac
from datetime import datetime

import pyotp
import segno

ALLOWED_DRIFT_STEPS = 1
DIGITS = 6


def new_secret() -> str:
    """A random secret (160 bits, base32), to be shown once at enrolment."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account_email: str, issuer: str) -> str:
    """The `otpauth://` URI that authenticator apps read (from the QR code or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_email, issuer_name=issuer)


QR_SCALE = 5  # px per module
QR_BORDER = 4  # modules of quiet zone, as the standard asks


def qr_code(uri: str) -> tuple[str, int]:
    """The URI as a QR code: an SVG in a `data:` URI (the pages' policy allows images from there, not inline
    markup), and its width and height in pixels."""
    code = segno.make(uri, error="m")
    width, _ = code.symbol_size(scale=QR_SCALE, border=QR_BORDER)
    return code.svg_data_uri(scale=QR_SCALE, border=QR_BORDER), width


def grouped(secret: str) -> str:
    """The secret in groups of four, as it is easier to type from the page."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalised(code: str) -> str:
    """The code as typed, without the spaces and dashes that apps show in the middle."""
    return "".join(code.split()).replace("-", "")


def accepted_step(secret: str, code: str, now: datetime, *, last_used_step: int | None) -> int | None:
    """The time step that `code` is right for, near `now` and later than `last_used_step`; None if there is none
    (a wrong code, one from too long ago, or one already used)."""
    code = normalised(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - ALLOWED_DRIFT_STEPS, current + ALLOWED_DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
