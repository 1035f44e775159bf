"""A staff account and what it may do: its memberships (roles with their scopes, the contract's
`Membership`). Plain objects, no I/O."""

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from treffpunkt_shared.contracts.staff import Membership, Role

Language = Literal["de", "en"]


def normalise_email(email: str) -> str:
    """The form an address is stored and looked up in: one account per address, whatever its case."""
    return email.strip().lower()


@dataclass(frozen=True)
class Account:
    id: UUID
    email: str
    display_name: str
    language: Language
    active: bool
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        return any(m.role is Role.admin for m in self.memberships)
