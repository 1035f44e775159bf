"""What the staff service tells the others: who a staff member is (the claims of its access tokens) and which
machine tokens exist (`staff.token.v1`).

An access token is a JWT signed by the staff service (EdDSA, Ed25519; key id in the header; the public keys at
`<issuer>/.well-known/jwks.json`), issued for one service (`aud`) and valid for minutes. It carries the
account's memberships; each service decides from them and from its own data what the bearer may do.

Machine tokens (`tpk_...`) are for scripts and integrations. Admins manage them in the staff service, which
publishes each one's state (its SHA-256 hash, never the token) on `staff.token.v1`; every service keeps a copy
and admits a token by its hash. The topic is compacted by token id: the latest state of each token stays.
"""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .envelope import EventPayload, registry

STAFF_TOKEN_TOPIC = "staff.token.v1"

# The audiences: one per service that takes staff tokens.
AUDIENCES = ("catalog", "registration", "notification")

_ORG_ID = "5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71"
_CONTACT_ID = "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e02"


class Role(StrEnum):
    admin = "admin"  # everything, including accounts and machine tokens
    organiser = "organiser"  # an organisation's events, sessions, contact persons, programmes, registrations
    contact = "contact"  # the registrations of the sessions that name a contact person


class Membership(BaseModel):
    """A role with its scope: `organiser` names an organisation, `contact` a contact person, `admin` nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [
        {"role": "admin"},
        {"role": "organiser", "organisation_id": _ORG_ID},
        {"role": "contact", "contact_person_id": _CONTACT_ID},
    ]})

    role: Role = Field(description="admin, organiser or contact.")
    organisation_id: UUID | None = Field(None, description="For `organiser`: the organisation (catalog id).")
    contact_person_id: UUID | None = Field(None, description="For `contact`: the contact person (catalog id).")

    @model_validator(mode="after")
    def _scoped(self) -> Self:
        expected = {Role.admin: (False, False), Role.organiser: (True, False), Role.contact: (False, True)}[self.role]
        if (self.organisation_id is not None, self.contact_person_id is not None) != expected:
            wanted = {Role.admin: "no scope", Role.organiser: "organisation_id only",
                      Role.contact: "contact_person_id only"}[self.role]
            raise ValueError(f"a membership with role {self.role.value!r} takes {wanted}")
        return self


class AccessClaims(BaseModel):
    """The claims of a staff access token (registered JWT claims plus the account's name and memberships)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [{
        "iss": "http://localhost:8003", "aud": "registration", "sub": "2f6b1d1e-5a1c-4c1f-9a7e-0c1d2e3f4a5b",
        "iat": 1796200000, "exp": 1796200300, "jti": "b3c0e2f1d4a54c6b8e7f9a0b1c2d3e4f",
        "name": "Erika Beispiel", "memberships": [{"role": "organiser", "organisation_id": _ORG_ID}],
    }]})

    iss: str = Field(description="The staff service's public URL.")
    aud: str = Field(description="The one service the token is for: catalog, registration or notification.")
    sub: UUID = Field(description="The staff account's id.")
    iat: int = Field(description="Issued at (Unix time).")
    exp: int = Field(description="Expires at (Unix time); minutes after `iat`.")
    jti: str = Field(description="The token's unique id.")
    name: str = Field(description="The account's display name, for audit views.")
    memberships: list[Membership] = Field(default_factory=list, description="The account's roles with their scopes.")


class MachineTokenSaved(EventPayload):
    """A machine token's current state: created, or revoked (then `revoked_at` is set and it admits nothing)."""

    topic: ClassVar[str] = STAFF_TOKEN_TOPIC
    event_type: ClassVar[str] = "MachineTokenSaved"
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "token_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "name": "website-import",
        "token_hash": "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "organisation_id": _ORG_ID, "can_write": False, "created_at": "2026-12-02T09:00:00Z", "revoked_at": None,
    }]})

    token_id: UUID = Field(description="The token's id in the staff service.")
    name: str = Field(description="What the token is for; the actor named in audit entries.")
    token_hash: str = Field(description="SHA-256 (hex) of the token; the token itself is shown once, never sent.")
    organisation_id: UUID | None = Field(description="Its scope: one organisation (as its organiser), or none for all.")
    can_write: bool = Field(description="False: it may only read.")
    created_at: datetime = Field(description="When it was created.")
    revoked_at: datetime | None = Field(None, description="When it was revoked; set: it admits nothing any more.")

    def message_key(self) -> str:
        return str(self.token_id)


STAFF_EVENTS = registry(MachineTokenSaved)
