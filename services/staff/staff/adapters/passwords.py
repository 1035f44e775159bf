"""Passwords, hashed with argon2id (argon2-cffi's `PasswordHasher`, its recommended parameters). A hash
made with other parameters is replaced at the next sign-in (`needs_rehash`)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# Verified against when there is no account (or no password): a sign-in with an unknown address takes as
# long as one with a wrong password, so the time does not tell which addresses have accounts.
_NO_ACCOUNT = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _NO_ACCOUNT, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
