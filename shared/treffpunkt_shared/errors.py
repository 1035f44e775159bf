"""Why a service refuses a command, and how that looks over HTTP.

Messages are written for the person who sent the request. A rule broken by a field's value looks
exactly like FastAPI's own validation errors (422, `detail[].loc` naming the field), so clients
handle both alike.
"""

from typing import TypeVar
from uuid import UUID

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

T = TypeVar("T")


class Refused(Exception):
    """A refused command; subclasses say how."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidField(Refused):
    """A value breaks a rule. `field` is the request's name for it; `index` the item of a list."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT

    def __init__(self, field: str, message: str, *, index: int | None = None, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.index = index
        self.location = location


class NotFound(Refused):
    """The thing a command is about does not exist."""

    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self, kind: str, id: UUID | str) -> None:
        super().__init__(f"There is no {kind} with id {id}.")


class Conflict(Refused):
    """The command does not fit the current state."""

    status_code = status.HTTP_409_CONFLICT


class Gone(Refused):
    """What the command wants is no longer possible (a deadline passed)."""

    status_code = status.HTTP_410_GONE


def require_found(value: T | None, kind: str, id: UUID | str) -> T:
    """`value`, which a lookup of the `kind` with `id` returned, or NotFound if there was none."""
    if value is None:
        raise NotFound(kind, id)
    return value


async def _refused(_: Request, error: Refused) -> JSONResponse:
    if isinstance(error, InvalidField):
        loc: list[str | int] = [error.location, error.field]
        if error.index is not None:
            loc.append(error.index)
        body: dict = {"detail": [{"loc": loc, "msg": error.message, "type": "value_error"}]}
    else:
        body = {"detail": error.message}
    return JSONResponse(body, status_code=error.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Refused, _refused)
