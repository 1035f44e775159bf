"""What the admins' pages (accounts, machine tokens) share: they are authorized as the admin API is
(`dependencies.AdminCaller`): signed in (else the sign-in page), an admin who has set up the second factor
where the operator requires it (else its set-up page; both `PageDep`), and an admin, else the app's 403 page.
These pages change the staff service's own data, so they call its service layer directly (`service_layer.admin`,
as the admin API does) with the same actor in the audit entries; nothing goes through another service."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from pydantic import ValidationError

from treffpunkt_shared.errors import Refused

from ...adapters.audit import Actor
from ...adapters.service_calls import ServiceRefused
from ..app_page import FormDep, PageDep, StaffPage


def _refused_here(status: int, message: str) -> ServiceRefused:
    # The app's refusal page (`app_page.refused_page`) says a refusal in the user's language by its status; this
    # service's own refusals take the same way.
    return ServiceRefused(status, message, "staff")  # type: ignore[arg-type]  # refused by this service itself


def _admin(page: StaffPage) -> StaffPage:
    if not page.who.account.is_admin:
        raise _refused_here(403, "Only admins may do this.")
    return page


async def _admin_page(page: PageDep) -> StaffPage:
    return _admin(page)


async def _admin_form(page: FormDep) -> StaffPage:
    return _admin(page)


AdminPageDep = Annotated[StaffPage, Depends(_admin_page)]
AdminFormDep = Annotated[StaffPage, Depends(_admin_form)]


def actor(page: StaffPage) -> Actor:
    """Who an admin's change is audited as: the signed-in account, as in the admin API."""
    return Actor.account(page.who.account.id)


@contextmanager
def refusals_as_pages() -> Iterator[None]:
    """The staff service's own refusals (no such account or token, 404) as the app's refusal page."""
    try:
        yield
    except Refused as refused:
        raise _refused_here(refused.status_code, refused.message) from refused


def invalid(page: StaffPage, error: ValidationError) -> dict[str, str]:
    """A command's validation errors per field in the user's words, as a service's 422 is worded
    (`StaffPage.field_errors`: the same texts by field and error type)."""
    return page.field_errors(_refused_here(422, error.errors(include_url=False)))
