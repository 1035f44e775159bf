"""What a password that a person chooses must be. Length only (NIST SP 800-63B, 3.1.1.2): no rules about
kinds of characters, which make passwords harder to remember and no harder to guess."""

MIN_LENGTH = 12
# argon2 would hash any length; the bound keeps a form from making it hash megabytes.
MAX_LENGTH = 256


def password_problem(password: str, repeated: str) -> tuple[str, str] | None:
    """What is wrong, as (field, text key), or None: a password of the right length, typed the same twice."""
    if len(password) < MIN_LENGTH:
        return "password", "error.password.too_short"
    if len(password) > MAX_LENGTH:
        return "password", "error.password.too_long"
    if password != repeated:
        return "password_repeat", "error.password_repeat.mismatch"
    return None
