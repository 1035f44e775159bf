"""What the admins' pages (accounts, machine tokens) share: they are authorized as the admin API is
(`dependencies.AdminCaller`): signed in (else the sign-in page), an admin who has set up the second factor
where the operator requires it (else its set-up page; both `PageDep`), and an admin, else the app's 403 page.
These pages change the staff service's own data, so they call its service layer directly (`service_layer.admin`,
as the admin API does) with the same actor in the audit entries; nothing goes through another service.

Also the catalog's names for the memberships' scopes: the roles of an account in words."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from pydantic import ValidationError

from treffpunkt_shared.contracts.staff import Membership, Role
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


@dataclass(frozen=True)
class CatalogNames:
    """The organisations and contact persons an admin can choose from, as (id, name) pairs by name; empty when
    the catalog cannot be reached (then the pages name scopes by id)."""

    organisations: list[tuple[str, str]]
    contact_persons: list[tuple[str, str]]

    def name(self, scope_id: object) -> str | None:
        return dict(self.organisations + self.contact_persons).get(str(scope_id))

    def roles(self, page: StaffPage, memberships: tuple[Membership, ...] | list[Membership]) -> list[str]:
        """Each membership in words, with the organisation's or contact person's name where known."""
        t = page.t
        words = []
        for membership in memberships:
            if membership.role is Role.admin:
                words.append(t["role_admin"])
                continue
            scope = membership.organisation_id or membership.contact_person_id
            name = self.name(scope)
            words.append(t[f"role_{membership.role.value}_named"].format(name=name) if name
                         else t[f"role_{membership.role.value}"].format(id=scope))
        return words


async def catalog_names(page: StaffPage) -> CatalogNames:
    try:
        organisations, contact_persons = await asyncio.gather(
            page.calls.get("catalog", "/api/staff/organisations"), page.calls.get("catalog", "/api/staff/contact-persons"))
    except ServiceRefused:
        return CatalogNames([], [])
    return CatalogNames(
        [(o["id"], o["name"]) for o in organisations],
        [(c["id"], f"{c['name']} ({c['organisation_name']})" if c.get("organisation_name") else c["name"])
         for c in contact_persons])


def invalid(page: StaffPage, error: ValidationError) -> dict[str, str]:
    """A command's validation errors per field in the user's words, as a service's 422 is worded
    (`StaffPage.field_errors`: the same texts by field and error type)."""
    return page.field_errors(_refused_here(422, error.errors(include_url=False)))
