"""Who the identity provider says signed in, and what that makes them here. Plain objects, no I/O.

Without a group mapping the provider only proves the address: the account of that (verified) address signs
in, with the memberships admins gave it. With a mapping (`oidc_groups_claim` and `oidc_group_roles`) the
provider's groups decide the memberships: the account's are replaced by those of its mapped groups at each
sign-in, and an address without an account gets one."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from treffpunkt_shared.contracts.staff import Membership

from .model import Account


class Refused(Exception):
    """The person may not sign in; `reason` says why in a few words (for the audit entry, not for them)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str
    name: str
    groups: tuple[str, ...]


def identity(claims: Mapping[str, Any], groups_claim: str | None) -> Identity:
    """The identity in the provider's claims (ID token and UserInfo). Refused without a verified address:
    an unverified one proves nothing about whose account it is."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Refused("no email")
    if claims.get("email_verified") is not True:
        raise Refused("email not verified")
    name = claims.get("name")
    groups = claims.get(groups_claim) if groups_claim else None
    if isinstance(groups, str):  # some providers send a single group as a string
        groups = [groups]
    return Identity(str(claims["sub"]), email, name if isinstance(name, str) and name.strip() else email.split("@")[0],
                    tuple(g for g in groups or () if isinstance(g, str)))


def mapped_memberships(groups: Sequence[str], mapping: Mapping[str, Sequence[Membership]]) -> list[Membership]:
    """The memberships of the mapped groups among `groups`, each once, in the mapping's order."""
    found: list[Membership] = []
    for group, memberships in mapping.items():
        if group in groups:
            found.extend(m for m in memberships if m not in found)
    return found


def check_account(account: Account | None, *, mapped: list[Membership] | None) -> None:
    """Refused unless the person may sign in as `account` (None: the address has none). `mapped`: the
    memberships from their groups when a mapping is configured, else None."""
    if account is not None and not account.active:
        raise Refused("account deactivated")  # an admin's decision that the provider does not overrule
    if mapped is None:
        if account is None:
            raise Refused("no account")
    elif not mapped:
        raise Refused("no mapped group")
