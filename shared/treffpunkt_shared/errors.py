"""Why a service refuses a command. Plain exceptions, free of any framework, so domains can raise
them; `http.install_error_handlers` turns them into answers. Messages are written for the person
who sent the request. Each names the HTTP status it stands for."""

from typing import TypeVar
from uuid import UUID

T = TypeVar("T")


class Refused(Exception):
    """A refused command; subclasses say how."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidField(Refused):
    """A value breaks a rule. `field` is the request's name for it; `index` the item of a list."""

    status_code = 422

    def __init__(self, field: str, message: str, *, index: int | None = None, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.index = index
        self.location = location


class NotFound(Refused):
    """The thing a command is about does not exist."""

    status_code = 404

    def __init__(self, kind: str, id: UUID | str) -> None:
        super().__init__(f"There is no {kind} with id {id}.")


class Forbidden(Refused):
    """The staff member (or machine token) is known but may not do this, here."""

    status_code = 403


class Conflict(Refused):
    """The command does not fit the current state."""

    status_code = 409


class Gone(Refused):
    """What the command wants is no longer possible (a deadline passed)."""

    status_code = 410


def require_found(value: T | None, kind: str, id: UUID | str) -> T:
    """`value`, which a lookup of the `kind` with `id` returned, or NotFound if there was none."""
    if value is None:
        raise NotFound(kind, id)
    return value


class TooManyRequests(Refused):
    """A rate limit is reached; `retry_after_seconds`: when the client may try again."""

    status_code = 429

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
