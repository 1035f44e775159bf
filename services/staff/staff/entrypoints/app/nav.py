"""The staff app's navigation: one list, each entry shown to the roles that can use it (the services still
decide every request; this only spares people links that would answer 403)."""

from collections.abc import Callable
from dataclasses import dataclass

from treffpunkt_shared.contracts.staff import Role

from ...domain.model import Account


def _has(*roles: Role) -> Callable[[Account], bool]:
    return lambda account: any(m.role in roles for m in account.memberships)


ANYONE = _has(Role.admin, Role.organiser, Role.contact)
ORGANISING = _has(Role.admin, Role.organiser)


@dataclass(frozen=True)
class NavEntry:
    path: str
    text: str  # a key of the texts
    shown_to: Callable[[Account], bool]


NAV = [
    NavEntry("/", "nav.dashboard", ANYONE),
    NavEntry("/events", "nav.events", ANYONE),
    NavEntry("/organisations", "nav.organisations", ORGANISING),
    NavEntry("/contact-persons", "nav.contact_persons", ORGANISING),
    NavEntry("/programmes", "nav.programmes", ORGANISING),
    NavEntry("/my-sessions", "nav.my_sessions", _has(Role.contact)),
    NavEntry("/preference", "nav.preference", _has(Role.contact)),
    NavEntry("/erasures", "nav.erasures", ORGANISING),
    NavEntry("/accounts", "nav.accounts", _has(Role.admin)),
    NavEntry("/machine-tokens", "nav.machine_tokens", _has(Role.admin)),
]


@dataclass(frozen=True)
class NavLink:
    path: str
    text: str
    current: bool


def visible_nav(account: Account, current_path: str) -> list[NavLink]:
    """The entries for `account`; the one of the current page (or of the section it is in) marked."""
    shown = [entry for entry in NAV if entry.shown_to(account)]

    def covers(entry: NavEntry) -> bool:
        return current_path == entry.path or (entry.path != "/" and current_path.startswith(entry.path + "/"))

    return [NavLink(entry.path, entry.text, covers(entry)) for entry in shown]
