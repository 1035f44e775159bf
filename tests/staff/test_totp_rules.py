"""The TOTP rules: a right code once, one step of drift, no replay of an earlier step, and the setup's
URI and QR code."""

from datetime import UTC, datetime, timedelta

import pyotp

from staff.domain import totp

NOW = datetime(2027, 3, 1, 9, 0, 10, tzinfo=UTC)


def code_at(secret, moment):
    return pyotp.TOTP(secret).at(moment)


def test_code_of_now_is_accepted_once():
    secret = totp.new_secret()
    step = totp.accepted_step(secret, code_at(secret, NOW), NOW, last_used_step=None)
    assert step == pyotp.TOTP(secret).timecode(NOW)
    assert totp.accepted_step(secret, code_at(secret, NOW), NOW, last_used_step=step) is None


def test_one_step_of_drift_either_way():
    secret = totp.new_secret()
    assert totp.accepted_step(secret, code_at(secret, NOW - timedelta(seconds=30)), NOW, last_used_step=None)
    assert totp.accepted_step(secret, code_at(secret, NOW + timedelta(seconds=30)), NOW, last_used_step=None)
    assert totp.accepted_step(secret, code_at(secret, NOW - timedelta(seconds=90)), NOW, last_used_step=None) is None


def test_earlier_step_after_a_later_one_is_refused():
    secret = totp.new_secret()
    later = totp.accepted_step(secret, code_at(secret, NOW + timedelta(seconds=30)), NOW, last_used_step=None)
    assert totp.accepted_step(secret, code_at(secret, NOW), NOW, last_used_step=later) is None


def test_wrong_and_malformed_codes():
    secret = totp.new_secret()
    right = code_at(secret, NOW)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for code in (wrong, "", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.accepted_step(secret, code, NOW, last_used_step=None) is None
    assert totp.accepted_step(secret, f" {right[:3]} {right[3:]} ", NOW, last_used_step=None)


def test_uri_and_qr_code():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account_email="erika@beispielstadt.de", issuer="Treffpunkt")
    assert uri.startswith("otpauth://totp/Treffpunkt:erika%40beispielstadt.de?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    image, size = totp.qr_code(uri)
    assert image.startswith("data:image/svg+xml") and size > 100
    assert totp.grouped("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
