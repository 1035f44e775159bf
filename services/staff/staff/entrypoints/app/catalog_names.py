"""The catalog's names for the memberships' scopes (organisations, contact persons): an account's roles in
words, on the dashboard and the admins' pages; ids where the catalog cannot say."""

import asyncio
from dataclasses import dataclass

from treffpunkt_shared.contracts.staff import Membership, Role

from ...adapters.service_calls import ServiceRefused
from ..app_page import StaffPage


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


async def _listed(page: StaffPage, path: str) -> list[dict]:
    try:
        return await page.calls.get("catalog", path)
    except ServiceRefused:
        return []


async def catalog_names(page: StaffPage) -> CatalogNames:
    """Each list as far as the account may read it (a contact person's account may read its own entry only)."""
    organisations, contact_persons = await asyncio.gather(
        _listed(page, "/api/staff/organisations"), _listed(page, "/api/staff/contact-persons"))
    return CatalogNames(
        [(o["id"], o["name"]) for o in organisations],
        [(c["id"], f"{c['name']} ({c['organisation_name']})" if c.get("organisation_name") else c["name"])
         for c in contact_persons])
